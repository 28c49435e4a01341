/**
 * Failure detection with real daemons (`npm run bench:ha-detect`, root): a hot pair under
 * traffic at the heartbeat (10 ms × 3 unless HITLESS_DETECT_HB="50x4"), the active
 * killed with SIGKILL HITLESS_DETECT_RUNS times (default 6, alternating boards with a rejoin
 * in between). Per run: kill → survivor's `mate-dead` log line and kill → its takeover (the
 * `ha-takeover` event's start time), in ms; min / median / max, and the machine.
 */
import os from 'node:os';
import { isRoot } from '../../tcp/host/netlab.ts';
import { agentProgress, Chassis, type Slot, stopAgent } from '../e2e/chassis.fixture.ts';

const [interval = 10, misses = 3] = (process.env.HITLESS_DETECT_HB ?? '10x3')
  .split('x')
  .map(Number);
const RUNS = Number(process.env.HITLESS_DETECT_RUNS ?? 6);

if (!isRoot) {
  console.error('bench:ha-detect needs root (network namespaces)');
  process.exit(2);
}

const cleanups: (() => void | Promise<void>)[] = [];
const cleanup = async (): Promise<void> => {
  for (const fn of cleanups.reverse()) {
    try {
      await fn();
    } catch {}
  }
};
process.on('SIGINT', () => void cleanup().then(() => process.exit(130)));

const stats = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return { min: s[0], median: s[Math.floor(s.length / 2)], max: s.at(-1) };
};

try {
  const ch = new Chassis((fn) => cleanups.push(fn), {
    prefix: `hlhbd${process.pid}`,
    subnet: 88,
    heartbeat: { intervalMs: interval, misses },
    apps: ['{ kind: stream, port: 5001, sso: true }', '{ kind: echo, port: 7, sso: true }'],
  });
  await ch.startPair(0);
  const agent = ch.agent({
    connections: 10,
    apps: 'stream,echo',
    direction: 'both',
    'rate-kbps': 2000,
  });
  await agentProgress(agent, 16 * 1024, 20_000);
  const dead: number[] = [];
  const takeover: number[] = [];
  let victim: Slot = 0;
  for (let run = 1; run <= RUNS; run++) {
    const survivor = (1 - victim) as Slot;
    const proc = ch.boards[survivor]!;
    const seen = proc.lines.length;
    const t0 = Date.now();
    ch.kill(victim);
    const after = (event: string) => (l: Record<string, unknown>) =>
      l.event === event && proc.lines.indexOf(l) >= seen;
    const d = await proc.waitFor(after('mate-dead'), 10_000, 'mate-dead');
    const tk = await proc.waitFor(after('ha-takeover'), 10_000, 'ha-takeover');
    dead.push(Date.parse(String(d.ts)) - t0);
    takeover.push(Date.parse(String(tk.time)) - t0);
    console.log(
      `run ${run}: kill -9 board ${victim} → mate-dead ${dead.at(-1)} ms, takeover ${takeover.at(-1)} ms`,
    );
    await ch.boards[victim]!.exited;
    if (run < RUNS) {
      await ch.start(victim);
      await ch.waitHa(
        victim,
        (h) => h.role === 'standby' && h.sync === 'hot',
        20_000,
        'rejoin hot',
      );
      await agentProgress(agent, 16 * 1024, 20_000);
    }
    victim = survivor;
  }
  await stopAgent(agent);
  const cpu = os.cpus();
  console.log(
    JSON.stringify({
      heartbeat: `${interval} ms × ${misses}`,
      detectionMs: interval * misses,
      runs: RUNS,
      mateDeadMs: stats(dead),
      takeoverMs: stats(takeover),
      machine: { cpu: cpu[0]?.model, cores: cpu.length, node: process.version, load: os.loadavg() },
    }),
  );
} finally {
  await cleanup();
}
