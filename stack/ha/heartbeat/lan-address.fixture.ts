/**
 * Child process for lan-address.net.test.ts, run inside a namespace: two LAN heartbeat sockets
 * (`a` and `b`, each the other's mate) whose addresses may not exist yet; heartbeats every
 * 20 ms both ways; log events and received heartbeats as JSON lines on stdout.
 *   argv: addrA addrB port
 */
import { UdpHeartbeat } from './udp-heartbeat.ts';

const [a, b, port] = process.argv.slice(2) as [string, string, string];
const out = (o: unknown) => process.stdout.write(`${JSON.stringify(o)}\n`);
const mk = (local: string, mate: string, name: string) => {
  const hb = new UdpHeartbeat({
    local,
    mate,
    port: Number(port),
    log: (e) => out({ name, log: e }),
  });
  hb.on('heartbeat', (h) => out({ name, heard: h.slot }));
  return hb;
};
const sa = mk(a, b, 'a');
const sb = mk(b, a, 'b');
await sa.start(100);
await sb.start(100);
out({ started: true });
let n = 0;
const timer = setInterval(() => {
  n++;
  const hb = { role: 'active' as const, epoch: 1, sync: 'hot' as const, counter: n, sentAt: n };
  sa.send({ slot: 0, ...hb });
  sb.send({ slot: 1, ...hb });
}, 20);
process.stdin.on('data', () => {
  clearInterval(timer);
  void Promise.all([sa.stop(), sb.stop()]).then(() => process.exit(0));
});
