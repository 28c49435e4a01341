/**
 * Two board daemons in HA mode in one process (no root): front LAN as an in-memory hub, IPC and
 * LAN heartbeats in memory, a plain peer host running the stream app as client. The active dies
 * mid-stream (silently, as at a power cut); the standby takes over and every byte verifies.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import test, { type ExecutionContext } from 'ava';
import { appSpecSchema } from '../../apps/config.ts';
import { startApp } from '../../apps/index.ts';
import { patternBytes } from '../../apps/stream-pattern.ts';
import { IpInterface } from '../../ip/interface.ts';
import { MemoryLink } from '../../link/memory-link.ts';
import { TimerScheduler } from '../../link/scheduler.ts';
import { type Board, startDaemon } from '../../rpd/daemon.ts';
import { TcpEngine } from '../../tcp/engine.ts';
import { TcpHost } from '../../tcp/host/host.ts';
import type { AppNet } from '../../tcp/host/socket-api.ts';
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
  pairs.forEach(([, inner], i) => {
    inner.onFrames((frames) => {
      pairs.forEach(([, other], j) => {
        if (j !== i) for (const f of frames) other.send(f);
      });
    });
  });
  return pairs.map(([outer]) => outer);
}

/** An echo client: writes `total` pattern bytes, half-closes, checks the echo byte for byte. */
function echoClient(net: AppNet, seed: number, total: number) {
  const r = { received: 0, mismatch: -1, ended: false, errors: [] as string[], closed: false };
  const socket = net.connect({ host: '198.18.2.1', port: 7 });
  let sent = 0;
  const pump = (): void => {
    while (sent < total) {
      const n = Math.min(16384, total - sent);
      const ok = socket.write(patternBytes(seed, 'c2s', sent, n));
      sent += n;
      if (!ok) return;
    }
    socket.shutdown();
  };
  socket.on('connect', pump);
  socket.on('drain', pump);
  socket.on('data', (bytes) => {
    const want = patternBytes(seed, 'c2s', r.received, bytes.length);
    if (r.mismatch < 0) {
      const i = bytes.findIndex((b, k) => b !== want[k]);
      if (i >= 0) r.mismatch = r.received + i;
    }
    r.received += bytes.length;
  });
  socket.on('end', () => {
    r.ended = true;
  });
  socket.on('error', (e) => r.errors.push(e.message));
  socket.on('close', () => {
    r.closed = true;
  });
  return r;
}

/** Two HA daemons (slot 0 active, slot 1 hot standby) and a peer host on the hub. */
async function chassis(t: ExecutionContext, sso = true) {
  const dir = mkdtempSync(join(tmpdir(), 'hlha-daemon-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const scheduler = new TimerScheduler();
  t.teardown(() => scheduler.cancelAll());
  const [link0, link1, peerLink] = hub(scheduler, 3) as [MemoryLink, MemoryLink, MemoryLink];
  const ipc = memoryIpcPair();
  const lan = memoryLanPair();
  // Like IpcNodeLink, reconnect after a reset (a stall on this busy machine can cause one),
  // unless the cable is cut on purpose.
  let reconnects = 0;
  const reconnect = (): void => {
    setTimeout(() => {
      if (ipc.ports.some((p) => p.cut || p.isUp) || boards.length < 2) return;
      reconnects++;
      ipc.connect();
    }, 50);
  };
  for (const p of ipc.ports) p.on('down', reconnect);
  t.teardown(() => {
    for (const p of ipc.ports) p.off('down', reconnect);
    if (reconnects) t.log(`IPC reconnected ${reconnects} times`);
  });
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
        '  heartbeat: { interval_ms: 50, misses: 10 }', // one busy process runs three hosts
        'apps:',
        `  - { kind: stream, port: 5001, sso: ${sso}, bytes: 2097152 }`,
        `  - { kind: echo, port: 7, sso: ${sso} }`,
      ].join('\n'),
    );
    const board = await startDaemon(file, {
      link,
      handleSignals: false,
      log: (level, event, fields) => {
        if (process.env.HA_TEST_LOG) console.log(slot, level, event, JSON.stringify(fields));
      },
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
  return { a, b, boards, ipc, lan, link0, peerHost };
}
test.serial(
  'kill the active mid-stream: the standby takes over, the peer sees no error, every byte verifies',
  async (t) => {
    const { a, b, boards, ipc, lan, link0, peerHost } = await chassis(t);
    const client = startApp(
      appSpecSchema.parse({
        kind: 'stream',
        connect: '198.18.2.1:5001',
        connections: 3,
        bytes: 2 * MB,
        seed: 11,
      }),
      { net: peerHost, log: () => {} },
    );

    const echoes = [echoClient(peerHost, 21, MB), echoClient(peerHost, 22, MB)];

    await waitFor(() => client.stats().bytesIn > 1.5 * MB, 'a third of the streams');
    t.true(a.engine.replicator.ssoConnections().length >= 3);
    t.log(
      `at the cut: streams ${client.stats().bytesIn} B, echoes ${echoes.map((e) => e.received)} B`,
    );
    // Power cut on slot 0: nothing more leaves it on any path.
    ipc.ports[0].cut = true;
    lan[0].up = false;
    boards[0]!.stop('power cut');
    link0.close();

    await waitFor(() => b.ha.node.role === 'active', 'slot 1 took over');
    await waitFor(() => client.stats().closed === 3, 'all streams finished', 60_000);
    await waitFor(() => echoes.every((e) => e.closed), 'echo connections closed', 30_000);
    for (const e of echoes) t.like(e, { received: MB, mismatch: -1, ended: true, errors: [] });
    const s = client.stats();
    t.is(s.errors, 0);
    t.is(s.mismatches, 0);
    t.is(s.bytesIn, 3 * 2 * MB, 'every byte from both boards');
    t.is(b.replayer.stats.mismatches, 0);
    t.true(b.replayer.stats.applied > 100);
  },
);

test.serial(
  'planned switchover there, back and there again, mid-stream: nothing is lost',
  async (t) => {
    const { a, b, peerHost } = await chassis(t);
    const client = startApp(
      appSpecSchema.parse({
        kind: 'stream',
        connect: '198.18.2.1:5001',
        connections: 2,
        bytes: 2 * MB,
        seed: 31,
      }),
      { net: peerHost, log: () => {} },
    );
    const echo = echoClient(peerHost, 41, MB);
    const boards = [a, b];
    for (let i = 0; i < 3; i++) {
      const [from, to] = [boards[i % 2]!, boards[(i + 1) % 2]!];
      await waitFor(
        () => client.stats().bytesIn > (i + 1) * MB,
        `stream progress before switchover ${i + 1}`,
      );
      from.ha.requestSwitchover();
      await waitFor(
        () => to.ha.node.role === 'active' && from.ha.node.role === 'standby',
        `switchover ${i + 1}`,
      );
      await waitFor(() => from.ha.status().sync === 'hot', `old active hot as standby (${i + 1})`);
    }
    await waitFor(
      () => client.stats().closed === 2 && echo.closed,
      'all connections finished',
      60_000,
    );
    t.like(client.stats(), { errors: 0, mismatches: 0, bytesIn: 2 * 2 * MB });
    t.like(echo, { received: MB, mismatch: -1, ended: true, errors: [] });
    t.is(a.replayer.stats.mismatches + b.replayer.stats.mismatches, 0);
    t.truthy(b.ha.status().lastSwitchover);
  },
);

test.serial(
  'IPC cut alone: no takeover while the LAN answers, the active keeps serving; IPC back: hot again',
  async (t) => {
    const { a, b, ipc, peerHost } = await chassis(t);
    const client = startApp(
      appSpecSchema.parse({
        kind: 'stream',
        connect: '198.18.2.1:5001',
        connections: 2,
        bytes: 2 * MB,
        seed: 51,
      }),
      { net: peerHost, log: () => {} },
    );
    await waitFor(() => client.stats().bytesIn > MB / 2, 'streams under way');
    ipc.ports[0].cut = true;
    ipc.ports[1].cut = true;
    await waitFor(() => b.ha.status().sync === 'disconnected', 'standby disconnected');
    // Output commit stops waiting after the alarm timeout: the streams finish on the active.
    await waitFor(() => client.stats().closed === 2, 'streams finished on the active', 60_000);
    t.like(client.stats(), { errors: 0, mismatches: 0, bytesIn: 2 * 2 * MB });
    t.is(a.ha.node.role, 'active');
    t.is(b.ha.node.role, 'standby', 'no takeover while the active answers on the LAN');
    t.truthy(a.ha.status().alarm);
    ipc.ports[0].cut = false;
    ipc.ports[1].cut = false;
    ipc.connect();
    await waitFor(() => b.ha.status().sync === 'hot', 'hot again after the IPC is back');
    t.is(a.ha.node.role, 'active');
  },
);

test.serial('connections without SSO cause no IPC records at all', async (t) => {
  const { a, b, peerHost } = await chassis(t, false);
  const before = a.ha.log.lastIndex;
  const client = startApp(
    appSpecSchema.parse({
      kind: 'stream',
      connect: '198.18.2.1:5001',
      connections: 2,
      bytes: MB,
      seed: 61,
    }),
    { net: peerHost, log: () => {} },
  );
  const echo = echoClient(peerHost, 62, MB / 4);
  await waitFor(() => client.stats().closed === 2 && echo.closed, 'connections finished', 60_000);
  t.like(client.stats(), { errors: 0, mismatches: 0 });
  t.is(a.engine.replicator.stats.records, 0);
  t.is(a.ha.log.lastIndex, before);
  t.is(b.replayer.stats.applied, 0);
});
