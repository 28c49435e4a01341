/** The daemon without root: over a MemoryLink, with a temporary run dir. */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import test from 'ava';
import { MemoryLink } from '../link/memory-link.ts';
import { TimerScheduler } from '../link/scheduler.ts';
import {
  arpRequestFrame,
  decodeFrame,
  encodeEthernet,
  encodeIcmpEchoFrame,
  encodeTcpFrame,
  parseIpv4,
  parseMac,
  TcpFlag,
} from '../wire/index.ts';
import { startDaemon } from './daemon.ts';
import type { Logger } from './log.ts';
import { requestDaemon } from './status-client.ts';

const PEER_MAC = parseMac('02:00:00:00:00:02');
const PEER_IP = parseIpv4('198.18.2.2');
const OWN_IP = parseIpv4('198.18.2.1');

test('announces at start, answers ARP and ping, reports status, stops cleanly', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'hlrpd-unit-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const config = join(dir, 'rpd.yaml');
  writeFileSync(
    config,
    `slot: 1\nfront: { tap: hl9, address: 198.18.2.1/24, mac: "02:00:5e:10:00:01" }\nannounce: { count: 2, interval_ms: 20 }\nrun_dir: ${dir}\n`,
  );
  const scheduler = new TimerScheduler();
  t.teardown(() => scheduler.cancelAll());
  const [daemonSide, peer] = MemoryLink.pair({ scheduler });
  const seen: Uint8Array[] = [];
  peer.onFrames((f) => seen.push(...f));
  const logs: { level: string; event: string }[] = [];
  const log: Logger = (level, event) => logs.push({ level, event });
  const board = await startDaemon(config, { link: daemonSide, log, handleSignals: false });
  t.teardown(() => board.stop('test end'));

  await waitFor(() => seen.length >= 2, 'two gratuitous ARPs');
  for (const f of seen.splice(0)) {
    const d = decodeFrame(f);
    t.true(d.ok && d.value.arp?.senderIp === OWN_IP && d.value.arp.targetIp === OWN_IP);
  }
  peer.send(encodeEthernet(arpRequestFrame(PEER_MAC, PEER_IP, OWN_IP)));
  peer.send(new Uint8Array([1, 2, 3])); // garbage must not hurt
  const h = { srcMac: PEER_MAC, dstMac: parseMac('02:00:5e:10:00:01'), src: PEER_IP, dst: OWN_IP };
  peer.send(encodeIcmpEchoFrame(h, { type: 8, code: 0, id: 5, seq: 9, data: new Uint8Array(4) }));
  await waitFor(() => seen.length >= 2, 'ARP reply and echo reply');
  const replies = seen.map((f) => decodeFrame(f));
  t.true(replies.some((r) => r.ok && r.value.arp?.op === 2));
  t.true(replies.some((r) => r.ok && r.value.icmp?.type === 0 && r.value.icmp.seq === 9));

  const status = (await requestDaemon(join(dir, 'rpd-hl9.sock'), { cmd: 'status' })) as {
    daemon: { slot: number };
    front: {
      counters: { rx: number; delivered: number; droppedTotal: number };
      arp: { ip: string }[];
    };
  };
  t.is(status.daemon.slot, 1);
  t.like(status.front.counters, { rx: 3, delivered: 2, droppedTotal: 1 });
  t.deepEqual(
    status.front.arp.map((e) => e.ip),
    ['198.18.2.2'],
  );
  await t.throwsAsync(requestDaemon(join(dir, 'rpd-hl9.sock'), { cmd: 'nope' }), {
    message: /unknown command/,
  });

  board.stop('test');
  await board.done;
  t.true(logs.some((l) => l.event === 'stopped'));
  await t.throwsAsync(requestDaemon(join(dir, 'rpd-hl9.sock'), { cmd: 'status' }), {
    message: /no daemon running/,
  });
});

test('an exception on the receive path is logged once per second and the daemon carries on', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'hlrpd-unit-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const config = join(dir, 'rpd.yaml');
  writeFileSync(
    config,
    `slot: 0\nfront: { tap: hl8, address: 198.18.2.1/24, mac: "02:00:5e:10:00:01" }\nrun_dir: ${dir}\n`,
  );
  const scheduler = new TimerScheduler();
  t.teardown(() => scheduler.cancelAll());
  const [daemonSide, peer] = MemoryLink.pair({ scheduler });
  const seen: Uint8Array[] = [];
  peer.onFrames((f) => seen.push(...f));
  const logs: { level: string; event: string; fields?: Record<string, unknown> }[] = [];
  const log: Logger = (level, event, fields) => logs.push({ level, event, fields });
  const board = await startDaemon(config, {
    link: daemonSide,
    log,
    handleSignals: false,
    attach: [
      (b) =>
        b.ip.onTcp(() => {
          throw new Error('engine bug');
        }),
    ],
  });
  t.teardown(() => board.stop('test end'));
  const h = { srcMac: PEER_MAC, dstMac: parseMac('02:00:5e:10:00:01'), src: PEER_IP, dst: OWN_IP };
  const syn = encodeTcpFrame(h, {
    srcPort: 40000,
    dstPort: 7,
    seq: 1,
    ack: 0,
    flags: TcpFlag.SYN,
    window: 1000,
    urgent: 0,
    options: {},
    payload: new Uint8Array(0),
  });
  for (let i = 0; i < 3; i++) peer.send(syn);
  await waitFor(() => board.ip.counters.droppedCount('tcp-handler-error') === 3, 'three drops');
  const errors = logs.filter((l) => l.event === 'receive-error');
  t.is(errors.length, 1, 'rate-limited');
  t.like(errors[0], { level: 'error', fields: { where: 'tcp-handler', message: 'engine bug' } });
  seen.length = 0;
  peer.send(encodeIcmpEchoFrame(h, { type: 8, code: 0, id: 5, seq: 1, data: new Uint8Array(4) }));
  await waitFor(
    () =>
      seen.some((f) => {
        const d = decodeFrame(f);
        return d.ok && d.value.icmp?.type === 0;
      }),
    'echo reply after the errors',
  );
  t.is(board.ip.counters.droppedCount('tcp-handler-error'), 3);
});

async function waitFor(check: () => boolean, what: string, ms = 5000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}
