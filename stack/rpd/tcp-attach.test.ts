/**
 * The daemon with TCP attached, without root: over a MemoryLink (with some
 * loss) to a peer made of the stack's own interface layer, engine and host.
 * The config's apps serve; the peer's stream client verifies both ways.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import test from 'ava';
import { appSpecSchema } from '../apps/config.ts';
import { startApp } from '../apps/index.ts';
import { IpInterface } from '../ip/interface.ts';
import { MemoryLink } from '../link/memory-link.ts';
import { TimerScheduler } from '../link/scheduler.ts';
import { TcpEngine } from '../tcp/engine.ts';
import { TcpHost } from '../tcp/host/host.ts';
import { parseIpv4, parseMac } from '../wire/index.ts';
import { startDaemon } from './daemon.ts';
import type { Logger } from './log.ts';
import { requestDaemon } from './status-client.ts';
import { attachTcp } from './tcp-attach.ts';

const PEER_IP = parseIpv4('198.18.9.2');

async function waitFor(check: () => boolean, what: string, ms = 20_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

test('daemon apps over a lossy memory link: stream verified both ways, echo, status', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'hltcp-attach-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const config = join(dir, 'rpd.yaml');
  writeFileSync(
    config,
    [
      'slot: 0',
      'front: { tap: hl8, address: 198.18.9.1/24, mac: "02:00:5e:10:09:01" }',
      'apps:',
      '  - { kind: stream, port: 5001, bytes: 300000, sso: true }',
      '  - { kind: echo, port: 7 }',
      `run_dir: ${dir}`,
      '',
    ].join('\n'),
  );
  const scheduler = new TimerScheduler();
  t.teardown(() => scheduler.cancelAll());
  const [daemonSide, peerSide] = MemoryLink.pair({ scheduler, seed: 3, loss: 0.02, delayMs: 1 });
  const logs: { level: string; event: string; fields?: Record<string, unknown> }[] = [];
  const log: Logger = (level, event, fields) =>
    logs.push({ level, event, ...(fields ? { fields } : {}) });
  const board = await startDaemon(config, {
    link: daemonSide,
    log,
    handleSignals: false,
    attach: [(b) => void attachTcp(b, { rtoMinMs: 20, rtoInitialMs: 100 })],
  });
  t.teardown(() => board.stop('test end'));

  // The peer: interface layer + engine + host on the other end of the link.
  const ip = new IpInterface(
    { address: PEER_IP, prefixLength: 24, mac: parseMac('02:00:00:00:09:02') },
    (frame) => peerSide.send(frame),
  );
  const peer = new TcpHost({
    engine: new TcpEngine({
      localAddr: PEER_IP,
      isnSecret: new Uint8Array(16).fill(7),
      rtoMinMs: 20,
    }),
    localAddr: PEER_IP,
    transmit: (_s, dst, seg) => void ip.sendTcp(dst, seg, Math.floor(performance.now())),
  });
  t.teardown(() => peer.stop());
  ip.onTcp((pkt) => peer.receive(pkt.src, pkt.dst, pkt.segment));
  peerSide.onFrames((frames) => {
    for (const f of frames) ip.receive(f, Math.floor(performance.now()));
  });
  const arpRetry = setInterval(() => ip.handle(Math.floor(performance.now())), 20);
  t.teardown(() => clearInterval(arpRetry));

  const peerLogs: Record<string, unknown>[] = [];
  const client = startApp(
    appSpecSchema.parse({
      kind: 'stream',
      connect: '198.18.9.1:5001',
      bytes: 200_000,
      seed: 5,
      connections: 2,
    }),
    { net: peer, log: (e) => peerLogs.push(e) },
  );
  const echo = peer.connect({ host: '198.18.9.1', port: 7 });
  const echoed: Uint8Array[] = [];
  echo.on('data', (d) => echoed.push(d));
  echo.on('connect', () => {
    echo.write(Buffer.from('ping over the stack'));
    echo.shutdown();
  });
  let echoEnded = false;
  echo.on('end', () => {
    echoEnded = true;
  });

  await waitFor(() => client.stats().closed === 2 && echoEnded, 'streams and echo done');
  t.is(client.stats().mismatches, 0);
  t.is(client.stats().bytesIn, 2 * 300_000, 'the peer verified what the daemon sent');
  t.is(Buffer.concat(echoed).toString(), 'ping over the stack');
  await waitFor(
    () => logs.filter((l) => l.event === 'app-stream-end').length === 2,
    'daemon stream ends',
  );
  for (const l of logs.filter((x) => x.event === 'app-stream-end')) {
    t.like(l.fields, { verified: 200_000, mismatch: false });
  }
  t.false(logs.some((l) => l.event === 'apps-not-started'));

  const status = (await requestDaemon(join(dir, 'rpd-hl8.sock'), { cmd: 'status' })) as {
    tcp: { listeners: number[]; counters: { segmentsIn: number } };
    apps: { kind: string; port: number; sso: boolean; state: string; opened: number }[];
  };
  t.deepEqual(
    [...status.tcp.listeners].sort((a, b) => a - b),
    [7, 5001],
  );
  t.true(status.tcp.counters.segmentsIn > 100);
  t.like(status.apps, [
    { kind: 'stream', port: 5001, sso: true, state: 'running', opened: 2 },
    { kind: 'echo', port: 7, sso: false, state: 'running', opened: 1 },
  ]);
  t.true(daemonSide.stats.lost + peerSide.stats.lost > 0, 'the link did lose frames');
});
