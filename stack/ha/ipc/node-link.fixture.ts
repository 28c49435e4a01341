/**
 * Child process for node-link.net.test.ts, run inside a namespace: one board's IPC link and LAN
 * heartbeat socket, driven by JSON commands on stdin, reporting events as JSON lines on stdout.
 *   argv: mode(listen|connect) local mate port keyHex
 *   stdin: {"send":N} N log records | {"reset":true} | {"hb":true} one LAN heartbeat | {"quit":true}
 * A board confirms every log record it receives (cumulative, once per batch).
 */
import { createInterface } from 'node:readline';
import { UdpHeartbeat } from '../heartbeat/udp-heartbeat.ts';
import { ReplayTracker } from '../log/replay-tracker.ts';
import { ReplicationLog } from '../log/replication-log.ts';
import { IpcNodeLink } from './node-link.ts';

const [mode, local, mate, port, keyHex] = process.argv.slice(2);
const key = keyHex ? Buffer.from(keyHex, 'hex') : undefined;
const out = (o: unknown) => process.stdout.write(`${JSON.stringify(o)}\n`);

const link = new IpcNodeLink({
  mode: mode as 'listen' | 'connect',
  local: local!,
  mate: mate!,
  port: Number(port),
  key,
  reconnectMs: 20,
  reconnectMaxMs: 200,
  log: (e) => out({ log: e }),
});
const lan = new UdpHeartbeat({ local: local!, mate: mate!, port: Number(port) + 1, key });
const log = new ReplicationLog(1);
let tracker = new ReplayTracker(1);

link.on('up', () => {
  tracker = new ReplayTracker(1);
  out({ up: true });
});
link.on('down', (reason) => out({ down: reason }));
link.on('refused', (err) => out({ refused: err.code }));
link.on('record', (rec) => {
  if (rec.type === 'log') {
    const verdict = tracker.admit(rec).verdict;
    if (verdict === 'apply') tracker.markApplied(rec.index);
    out({ log: rec.index, verdict });
    setImmediate(() => {
      const c = tracker.confirmation();
      if (c) link.send(c);
    });
  } else if (rec.type === 'confirm') {
    log.confirm(rec.index, rec.epoch);
    out({ confirmed: rec.index });
  }
});
lan.on('heartbeat', (hb) => out({ heartbeat: hb }));
lan.on('refused', (err) => out({ lanRefused: err.code }));

await lan.start();
await link.start();
out({ ready: true });

createInterface({ input: process.stdin }).on('line', async (line) => {
  const cmd = JSON.parse(line) as { send?: number; reset?: boolean; hb?: boolean; quit?: boolean };
  if (cmd.send) {
    // After a reconnect the mate starts a fresh log view: number from 1 again for the test.
    const fresh = new ReplicationLog(1, 0);
    for (let i = 0; i < cmd.send; i++) {
      link.send(fresh.append({ kind: 'app', conn: 1, data: Buffer.from(`record ${i}`) }));
    }
    out({ sent: cmd.send });
  }
  if (cmd.reset) link.reset('reset by test');
  if (cmd.hb)
    lan.send({
      slot: mode === 'listen' ? 0 : 1,
      role: 'active',
      epoch: 1,
      sync: 'hot',
      counter: 1,
      sentAt: 5,
    });
  if (cmd.quit) {
    await link.stop();
    await lan.stop();
    process.exit(0);
  }
});
