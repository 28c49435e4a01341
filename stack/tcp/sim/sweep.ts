/**
 * Long randomised campaigns of two-engine sessions (faults, clock offsets, partitions, slow
 * readers, option mixes). Each seed fixes everything; a failing seed is printed with its options.
 * Run: npm run sim:tcp -- [--seeds N] [--from S]
 */
import { runSession, type SessionOptions } from './session.ts';

export function sweepOptions(seed: number): SessionOptions {
  const r = (k: number) => ((seed * 2654435761 + k * 40503) >>> 0) / 2 ** 32;
  return {
    seed,
    conns: 1 + (seed % 3),
    bytesEach: 20_000 + Math.floor(r(9) * 200_000),
    chunk: 1 + Math.floor(r(1) * 20000),
    isnNearWrap: seed % 2 === 0,
    offsets: [Math.floor(r(2) * 2 ** 40), Math.floor(r(3) * 2 ** 32)],
    consumeDelayMs: seed % 7 === 0 ? Math.floor(r(10) * 50) : 0,
    cfg: {
      sack: seed % 3 !== 0,
      timestamps: seed % 4 !== 0,
      nagle: seed % 5 !== 0,
      rcvBuf: seed % 6 === 0 ? 4096 + Math.floor(r(11) * 30000) : 262144,
      sndBuf: seed % 8 === 0 ? 8192 : 262144,
      delayedAckMs: seed % 9 === 0 ? 0 : 40,
    },
    link: {
      delayMs: 1 + r(4) * 20,
      jitterMs: r(5) * 20,
      loss: r(6) * 0.12,
      duplicate: r(7) * 0.08,
      reorder: r(8) * 0.15,
      corrupt: seed % 10 === 0 ? 0.01 : 0,
    },
    partition: seed % 11 === 0 ? { at: 100, forMs: 2000 + Math.floor(r(12) * 8000) } : undefined,
    limitMs: 900_000,
  };
}

/** Run seeds [from, from + count); returns the failing seeds with a reason. */
export function sweep(from: number, count: number): { seed: number; why: string }[] {
  const failed: { seed: number; why: string }[] = [];
  for (let seed = from; seed < from + count; seed++) {
    const o = sweepOptions(seed);
    const res = runSession(o);
    if (!res.complete || res.problems.length > 0) {
      const why = res.complete
        ? res.problems.slice(0, 3).join('; ')
        : `incomplete at ${Math.round(res.doneAt)} ms`;
      failed.push({ seed, why });
    }
  }
  return failed;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const arg = (name: string, dflt: number) => {
    const i = process.argv.indexOf(name);
    return i >= 0 ? Number(process.argv[i + 1]) : dflt;
  };
  const from = arg('--from', 1000);
  const count = arg('--seeds', 100);
  const t0 = performance.now();
  const failed = sweep(from, count);
  for (const f of failed)
    console.log(`seed ${f.seed} FAILED: ${f.why}\n  ${JSON.stringify(sweepOptions(f.seed))}`);
  console.log(
    `${count - failed.length} of ${count} seeds passed (${from}..${from + count - 1}) in ${Math.round(performance.now() - t0)} ms`,
  );
  process.exitCode = failed.length > 0 ? 1 : 0;
}
