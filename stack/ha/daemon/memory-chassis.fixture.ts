/**
 * Two board daemons in HA mode in one process (no root): front LAN as an in-memory hub, IPC and
 * LAN heartbeats in memory, a plain peer host (own engine and IpInterface) on the same hub.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ExecutionContext } from 'ava';
import { patternBytes } from '../../apps/stream-pattern.ts';
import { IpInterface } from '../../ip/interface.ts';
import { MemoryLink } from '../../link/memory-link.ts';
import { TimerScheduler } from '../../link/scheduler.ts';
import { type Board, startDaemon } from '../../rpd/daemon.ts';
import { TcpEngine } from '../../tcp/engine.ts';
import { TcpHost } from '../../tcp/host/host.ts';
import type { AppNet } from '../../tcp/host/socket-api.ts';
import { parseIpv4, parseMac } from '../../wire/index.ts';
import type { SessionOptions } from '../ipc/session.ts';
import type { WindowLimits } from '../ipc/window.ts';
import { memoryIpcPair, memoryLanPair } from '../runtime/memory-ports.ts';
import { attachHa, type HaAttachment } from './ha-attach.ts';

export const PEER = '198.18.2.2';
export const MB = 1024 * 1024;

export async function waitFor(cond: () => boolean, what: string, ms = 20_000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

/** A hub: every frame from one port goes to every other port. */
export function hub(scheduler: TimerScheduler, n: number): MemoryLink[] {
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
export function echoClient(net: AppNet, seed: number, total: number) {
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
export async function chassis(
  t: ExecutionContext,
  sso = true,
  ipcWindow?: WindowLimits,
  /** More app lines for the boards' config, and what the peer runs before they boot. */
  extra: { apps?: string[]; peerSetup?: (peer: TcpHost) => void } = {},
) {
  const { peerSetup } = extra;
  const dir = mkdtempSync(join(tmpdir(), 'hlha-daemon-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const scheduler = new TimerScheduler();
  t.teardown(() => scheduler.cancelAll());
  const [link0, link1, peerLink] = hub(scheduler, 3) as [MemoryLink, MemoryLink, MemoryLink];
  // The peer: a plain engine on its own interface; the tests run apps on it.
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
  peerSetup?.(peerHost);
  const ipc = memoryIpcPair(ipcWindow ? ({ window: ipcWindow } as SessionOptions) : {});
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
  const logs: { slot: number; level: string; event: string; fields: Record<string, unknown> }[] =
    [];
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
        ...(extra.apps ?? []).map((line) => `  - ${line}`),
      ].join('\n'),
    );
    const board = await startDaemon(file, {
      link,
      handleSignals: false,
      log: (level, event, fields) => {
        logs.push({ slot, level, event, fields: fields ?? {} });
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

  return { a, b, boards, logs, ipc, lan, link0, link1, peerLink, peerIp, peerHost, scheduler };
}
