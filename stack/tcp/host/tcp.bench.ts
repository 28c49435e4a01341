/**
 * npm run bench:tcp — the stack daemon against Linux TCP over its TAP, and
 * Linux against Linux over a veth, in one run: bulk throughput both ways,
 * echo round-trip latency, ratios, the machine. Where the stack falls short
 * of 1 Gbit/s, the daemon is profiled (`node --cpu-prof`) and summarised.
 * Run as root. BENCH_MB (default 200) sets the bulk transfer size, BENCH_RUNS (default
 * 3) the repetitions per direction (the median is printed: the machine is shared);
 * BENCH_PROFILE=1 profiles the daemon even when the goal is met.
 */
import { execFileSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { cpus, loadavg, release, totalmem } from 'node:os';
import { join } from 'node:path';
import { summarizeProfile } from './cpu-profile.ts';
import { type Lab, makeLab, nsExec, peerResult, startPeer, startStack } from './netlab.ts';

const MB = 1024 * 1024;
const BYTES = Number(process.env.BENCH_MB ?? 200) * MB;
const RTT_COUNT = 2000;
const RTT_SIZE = 64;
const RUNS = Number(process.env.BENCH_RUNS ?? 3);
const GOAL_MBPS = 1000;

if (process.getuid?.() !== 0) {
  console.error('bench:tcp needs root (network namespaces, a TAP device, a veth pair)');
  process.exit(2);
}

const cleanups: (() => void)[] = [];
const cleanup = (fn: () => void): void => {
  cleanups.push(fn);
};
function cleanAll(): void {
  for (const fn of cleanups.splice(0).reverse()) {
    try {
      fn();
    } catch {}
  }
}
process.on('SIGINT', () => {
  cleanAll();
  process.exit(130);
});

const mbps = (bytes: number, ms: number): number => (bytes * 8) / (ms * 1000);
const pct = (xs: number[], p: number): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] ?? Number.NaN;
};

interface Figures {
  toStack: number;
  fromStack: number;
  rtt: number[];
}

/** The stack daemon: kernel→stack (into discard), stack→kernel (stream server, counted), echo RTT. */
async function stackRun(tag: string, nodeArgs: string[] = [], mtu = 1500): Promise<Figures> {
  const lab = makeLab(
    cleanup,
    `hlbt${process.pid}${tag}`,
    61,
    [
      '{ kind: discard, port: 9 }',
      '{ kind: echo, port: 7, nagle: false }',
      `{ kind: stream, port: 5001, bytes: ${BYTES} }`,
    ],
    { mtu },
  );
  const daemon = await startStack(cleanup, lab, { nodeArgs });
  const to: number[] = [];
  const from: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const source = startPeer(cleanup, lab, {
      job: 'source',
      host: lab.stackAddr,
      port: 9,
      bytes: BYTES,
    });
    const s = await peerResult<{ sent: number; ms: number }>(source, 120_000, 'kernel → stack');
    to.push(mbps(s.sent, s.ms));
    const pull = startPeer(cleanup, lab, { job: 'pull', host: lab.stackAddr, port: 5001, seed: i });
    const p = await peerResult<{ received: number; ms: number }>(pull, 120_000, 'stack → kernel');
    if (p.received !== BYTES)
      throw new Error(`stack → kernel: got ${p.received} of ${BYTES} bytes`);
    from.push(mbps(p.received, p.ms));
  }
  const rtt = startPeer(cleanup, lab, {
    job: 'rtt',
    host: lab.stackAddr,
    port: 7,
    count: RTT_COUNT,
    size: RTT_SIZE,
  });
  const r = await peerResult<{ us: number[] }>(rtt, 60_000, 'stack echo rtt');
  daemon.child.kill('SIGTERM');
  await daemon.exited;
  return { toStack: pct(to, 50), fromStack: pct(from, 50), rtt: r.us };
}

/** Linux to Linux over a veth pair between two namespaces. */
async function kernelRun(): Promise<{ bulk: number; rtt: number[] }> {
  const a = `hlbt${process.pid}ka`;
  const b = `hlbt${process.pid}kb`;
  for (const ns of [a, b]) {
    execFileSync('ip', ['netns', 'add', ns]);
    cleanup(() => execFileSync('ip', ['netns', 'del', ns]));
  }
  execFileSync('ip', [
    'link',
    'add',
    'hlbv0',
    'netns',
    a,
    'type',
    'veth',
    'peer',
    'name',
    'hlbv1',
    'netns',
    b,
  ]);
  nsExec(a, 'ip', 'addr', 'add', '198.18.62.1/24', 'dev', 'hlbv0');
  nsExec(b, 'ip', 'addr', 'add', '198.18.62.2/24', 'dev', 'hlbv1');
  nsExec(a, 'ip', 'link', 'set', 'hlbv0', 'up');
  nsExec(b, 'ip', 'link', 'set', 'hlbv1', 'up');
  const labA = { ns: a } as Lab;
  const labB = { ns: b } as Lab;
  const bulk: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const sink = startPeer(cleanup, labB, { job: 'sink', port: 6001 });
    await sink.waitFor((l) => 'listening' in l, 20_000, 'veth sink');
    startPeer(cleanup, labA, { job: 'source', host: '198.18.62.2', port: 6001, bytes: BYTES });
    const got = await peerResult<{ received: number; ms: number }>(sink, 60_000, 'kernel → kernel');
    bulk.push(mbps(got.received, got.ms));
  }
  const echo = startPeer(cleanup, labB, { job: 'echo-server', port: 7 });
  await echo.waitFor((l) => 'listening' in l, 20_000, 'veth echo server');
  const rtt = startPeer(cleanup, labA, {
    job: 'rtt',
    host: '198.18.62.2',
    port: 7,
    count: RTT_COUNT,
    size: RTT_SIZE,
  });
  const r = await peerResult<{ us: number[] }>(rtt, 60_000, 'kernel rtt');
  return { bulk: pct(bulk, 50), rtt: r.us };
}

function printProfile(dir: string): void {
  const files = readdirSync(dir).filter((f) => f.endsWith('.cpuprofile'));
  if (files.length === 0) {
    console.log('  (no profile written)');
    return;
  }
  const s = summarizeProfile(join(dir, files[0]!), 12);
  console.log(
    `  daemon lifetime ${(s.totalMs / 1000).toFixed(1)} s, idle ${s.idlePercent.toFixed(0)} %; shares of busy time:`,
  );
  console.log('  self time by file:');
  for (const r of s.files) console.log(`    ${r.percent.toFixed(1).padStart(5)} %  ${r.name}`);
  console.log('  self time by function:');
  for (const r of s.functions) console.log(`    ${r.percent.toFixed(1).padStart(5)} %  ${r.name}`);
}

try {
  console.log('bench:tcp');
  console.log(`  cpu: ${cpus()[0]?.model ?? 'unknown'} x ${cpus().length}`);
  console.log(
    `  memory: ${(totalmem() / 2 ** 30).toFixed(1)} GiB, kernel ${release()}, node ${process.version}`,
  );
  // Other work on the machine skews every figure: say how busy it was.
  console.log(
    `  load average at start: ${loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')}`,
  );
  console.log(
    `  bulk: ${BYTES / MB} MB per direction, median of ${RUNS} runs; echo: ${RTT_COUNT} round trips of ${RTT_SIZE} B`,
  );
  const stack = await stackRun('s');
  const jumbo = await stackRun('j', [], 9000);
  const kernel = await kernelRun();
  const row = (name: string, v: number): string =>
    `  ${name.padEnd(34)} ${v.toFixed(0).padStart(6)} Mbit/s  (${(v / kernel.bulk).toFixed(3)} of kernel veth)`;
  console.log('throughput');
  console.log(row('kernel → stack (TAP)', stack.toStack));
  console.log(row('stack → kernel (TAP)', stack.fromStack));
  console.log(
    `  ${'kernel → kernel (veth)'.padEnd(34)} ${kernel.bulk.toFixed(0).padStart(6)} Mbit/s`,
  );
  console.log('  with MTU 9000 on the TAP (fewer frames; the veth stays at 1500):');
  console.log(row('kernel → stack (TAP, MTU 9000)', jumbo.toStack));
  console.log(row('stack → kernel (TAP, MTU 9000)', jumbo.fromStack));
  console.log('echo round trip (64 B)');
  for (const [name, us] of [
    ['stack echo (TAP)', stack.rtt],
    ['kernel echo (veth)', kernel.rtt],
  ] as const) {
    console.log(
      `  ${name.padEnd(34)} p50 ${pct(us, 50).toFixed(0).padStart(5)} µs  p99 ${pct(us, 99).toFixed(0).padStart(5)} µs`,
    );
  }
  const worst = Math.min(stack.toStack, stack.fromStack);
  console.log(
    `goal ≥ ${GOAL_MBPS} Mbit/s at MTU 1500: ${worst >= GOAL_MBPS ? 'met' : 'not met'} (slower direction ${worst.toFixed(0)} Mbit/s, ${(worst / kernel.bulk).toFixed(3)} of kernel veth)`,
  );
  if (worst < GOAL_MBPS || process.env.BENCH_PROFILE === '1') {
    console.log('profile of the daemon during both bulk transfers (node --cpu-prof):');
    const dir = join('/tmp', `hlbt${process.pid}-prof`);
    cleanup(() => execFileSync('rm', ['-rf', dir]));
    await stackRun('p', ['--cpu-prof', `--cpu-prof-dir=${dir}`]);
    printProfile(dir);
  }
} finally {
  cleanAll();
}
