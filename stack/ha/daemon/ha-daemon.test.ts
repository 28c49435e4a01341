/**
 * Two board daemons in HA mode in one process (no root): front LAN as an in-memory hub, IPC and
 * LAN heartbeats in memory, a plain peer host running the stream app as client. The active dies
 * mid-stream (silently, as at a power cut); the standby takes over and every byte verifies.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import test from 'ava';
import { appSpecSchema } from '../../apps/config.ts';
import { startApp } from '../../apps/index.ts';
import { IpInterface } from '../../ip/interface.ts';
import { MemoryLink } from '../../link/memory-link.ts';
import { TimerScheduler } from '../../link/scheduler.ts';
import { type Board, startDaemon } from '../../rpd/daemon.ts';
import { TcpEngine } from '../../tcp/engine.ts';
import { TcpHost } from '../../tcp/host/host.ts';
import { parseIpv4, parseMac } from '../../wire/index.ts';
import { memoryIpcPair, memoryLanPair } from '../runtime/memory-ports.ts';
import { attachHa, type HaAttachment } from './ha-attach.ts';

const PEER = '198.18.2.2';
const MB = 1024 * 1024;

async function waitFor(cond: () => boolean, what: string, ms = 20_000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

/** A hub: every frame from one port goes to every other port. */
function hub(scheduler: TimerScheduler, n: number): MemoryLink[] {
  const pairs = Array.from({ length: n }, () => MemoryLink.pair({ scheduler }));
  pairs.forEach(([, inner], i) =>
    inner.onFrames((frames) => {
      pairs.forEach(([, other], j) => {
        if (j !== i) for (const f of frames) other.send(f);
      });
    }),
  );
  return pairs.map(([outer]) => outer);
}

test('kill the active mid-stream: the standby takes over, the peer sees no error, every byte verifies', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'hlha-daemon-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const scheduler = new TimerScheduler();
  t.teardown(() => scheduler.cancelAll());
  const [link0, link1, peerLink] = hub(scheduler, 3) as [MemoryLink, MemoryLink, MemoryLink];
  const ipc = memoryIpcPair();
  const lan = memoryLanPair();
  const boards: Board[] = [];
  const has: HaAttachment[] = [];
  t.teardown(() => {
    for (const b of boards) b.stop('test end');
  });
  const start = async (slot: 0 | 1, link: MemoryLink) => {
    const file = join(dir, `rp${slot}.yaml`);
    writeFileSync(
      file,
      [
        `slot: ${slot}`,
        `front: { tap: hlh${slot}, address: 198.18.2.1/24, mac: "02:00:5e:10:00:01" }`,
        `run_dir: ${join(dir, `run${slot}`)}`,
        'ha:',
        '  ipc: { local: 198.18.1.1, mate: 198.18.1.2, port: 7400 }',
        '  lan: { local: 198.18.2.10, mate: 198.18.2.11 }',
        '  heartbeat: { interval_ms: 10, misses: 3 }',
        'apps:',
        '  - { kind: stream, port: 5001, sso: true }',
        '  - { kind: echo, port: 7, sso: true }',
      ].join('\n'),
    );
    const board = await startDaemon(file, {
      link,
      handleSignals: false,
      log: () => {},
      attach: [
        async (b) => {
          has[slot] = await attachHa(b, { ports: { ipc: ipc.ports[slot], lan: lan[slot] } });
        },
      ],
    });
    boards[slot] = board;
    return has[slot]!;
  };
  const a = await start(0, link0);
  await waitFor(() => a.ha.node.role === 'active', 'slot 0 elected active');
  const b = await start(1, link1);
  ipc.connect();
  await waitFor(() => b.ha.status().sync === 'hot', 'standby hot');

  // The peer: a plain engine and the stream app as a client, 3 connections of 2 MiB each.
  const peerIp = new IpInterface(
    { address: parseIpv4(PEER), prefixLength: 24, mac: parseMac('02:00:00:00:00:02') },
    (f) => peerLink.send(f),
  );
  peerLink.onFrames((frames) => {
    for (const f of frames) peerIp.receive(f, Math.floor(performance.now()));
  });
  const peerHost = new TcpHost({
    engine: new TcpEngine({ localAddr: parseIpv4(PEER), isnSecret: new Uint8Array(16).fill(3) }),
    localAddr: parseIpv4(PEER),
    transmit: (_s, dst, seg) => {
      peerIp.sendTcp(dst, seg, Math.floor(performance.now()));
    },
  });
  peerIp.onTcp((p) => peerHost.receive(p.src, p.dst, p.segment));
  const arpTimer = setInterval(() => peerIp.handle(Math.floor(performance.now())), 5);
  t.teardown(() => {
    clearInterval(arpTimer);
    peerHost.stop();
  });
  const client = startApp(
    appSpecSchema.parse({ kind: 'stream', connect: '198.18.2.1:5001', connections: 3, bytes: 2 * MB, seed: 11 }),
    { net: peerHost, log: () => {} },
  );

  await waitFor(() => client.stats().bytesIn > 1.5 * MB, 'a third of the streams');
  t.true(a.engine.replicator.ssoConnections().length >= 3);
  // Power cut on slot 0: nothing more leaves it on any path.
  ipc.ports[0].cut = true;
  lan[0].up = false;
  boards[0]!.stop('power cut');
  link0.close();

  await waitFor(() => b.ha.node.role === 'active', 'slot 1 took over');
  await waitFor(() => client.stats().closed === 3, 'all streams finished', 60_000);
  const s = client.stats();
  t.is(s.errors, 0);
  t.is(s.mismatches, 0);
  t.is(s.bytesIn, 3 * 2 * MB, 'every byte from both boards');
  t.is(b.replayer.stats.mismatches, 0);
  t.true(b.replayer.stats.applied > 100);
});
