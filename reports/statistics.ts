/**
 * Derived figures: the durations of one fault iteration, percentiles per fault
 * kind, totals and the run verdict. The runner stores them in results.json
 * (`finalizeResults`) so that every report and every `jq` user sees the same.
 */
import type {
  Iteration,
  KindStatistics,
  Percentiles,
  Results,
  RunVerdict,
  Statistics,
} from './results-schema.ts';

export interface Durations {
  /** detection − inject: how long the standby took to see the fault. */
  detectionMs: number | null;
  /** takeover − inject: until the standby owned the chassis address. */
  switchoverMs: number | null;
  /** firstPeerProgress − inject: until the first peer moved data again. */
  recoveryMs: number | null;
  /** resyncDone − (heal, else takeover, else inject): until a standby was hot again. */
  resyncMs: number | null;
}

function since(end: number | undefined, start: number | undefined): number | null {
  return end === undefined || start === undefined ? null : Math.max(0, end - start);
}

export function durationsOf(it: Iteration): Durations {
  const t = it.times;
  return {
    detectionMs: since(t.detection, t.inject),
    switchoverMs: since(t.takeover, t.inject),
    recoveryMs: since(t.firstPeerProgress, t.inject),
    resyncMs: since(t.resyncDone, t.heal ?? t.takeover ?? t.inject),
  };
}

/** Nearest-rank percentile (p in 0..100) of an ascending array; null when empty. */
export function percentile(sorted: readonly number[], p: number): number | null {
  if (sorted.length === 0) return null;
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[Math.min(rank, sorted.length) - 1] ?? null;
}

export function summarize(values: readonly number[]): Percentiles {
  const sorted = [...values].sort((a, b) => a - b);
  return {
    n: sorted.length,
    min: sorted[0] ?? null,
    median: percentile(sorted, 50),
    p95: percentile(sorted, 95),
    p99: percentile(sorted, 99),
    max: sorted.at(-1) ?? null,
  };
}

/**
 * Iterations whose measurements mean something (the fault ran to completion).
 * The `overall` figures leave out faults expected to degrade (double faults).
 */
export function measured(it: Iteration): boolean {
  return it.status === 'pass' || it.status === 'fail' || it.status === 'expected-degraded';
}

function present(values: Array<number | null>): number[] {
  return values.filter((v): v is number => v !== null);
}

export function kindStatistics(kind: string, iterations: readonly Iteration[]): KindStatistics {
  const done = iterations.filter(measured);
  const d = done.map(durationsOf);
  return {
    kind,
    iterations: iterations.length,
    stallMs: summarize(present(done.map((it) => it.stallMs))),
    switchoverMs: summarize(present(d.map((x) => x.switchoverMs))),
    resyncMs: summarize(present(d.map((x) => x.resyncMs))),
  };
}

export function computeStatistics(
  iterations: readonly Iteration[],
  connectionCount: number,
): Statistics {
  const kinds = [...new Set(iterations.map((it) => it.kind))].sort();
  const count = (s: Iteration['status']) => iterations.filter((it) => it.status === s).length;
  return {
    totals: {
      iterations: iterations.length,
      pass: count('pass'),
      fail: count('fail'),
      error: count('error'),
      skipped: count('skipped'),
      expectedDegraded: count('expected-degraded'),
      connections: connectionCount,
      bytes: {
        toChassis: iterations.reduce((a, it) => a + it.bytes.toChassis, 0),
        fromChassis: iterations.reduce((a, it) => a + it.bytes.fromChassis, 0),
      },
    },
    overall: kindStatistics(
      'all',
      iterations.filter((it) => it.expected === 'hitless'),
    ),
    perKind: kinds.map((k) =>
      kindStatistics(
        k,
        iterations.filter((it) => it.kind === k),
      ),
    ),
  };
}

/**
 * fail when the device under test failed anything (exit 1), else error when the
 * harness could not finish something (exit 2), else pass. Skipped and
 * expected-degraded iterations do not fail a run, but reports always show them.
 */
export function verdictOf(iterations: readonly Iteration[], runError?: unknown): RunVerdict {
  if (iterations.some((it) => it.status === 'fail')) return 'fail';
  if (runError || iterations.some((it) => it.status === 'error')) return 'error';
  return 'pass';
}

export type ResultsDraft = Omit<Results, 'schema' | 'verdict' | 'statistics'>;

/** Adds the schema id, the verdict and the statistics to what the runner gathered. */
export function finalizeResults(draft: ResultsDraft): Results {
  // A draft may be a finished Results being redone: its old derived fields must not win.
  const { schema: _schema, verdict: _verdict, statistics: _statistics, ...rest } = draft as Results;
  return {
    schema: 'hitless-results/1',
    verdict: verdictOf(rest.iterations, rest.run.error),
    ...rest,
    statistics: computeStatistics(rest.iterations, rest.connections.length),
  };
}
