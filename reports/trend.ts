/**
 * Drift across runs: the figures nightly users watch (failures, stall
 * percentiles, switchover and resync times), one row per run, oldest first and
 * the run being reported last, with its change against the run before it.
 */
import type { Percentiles, Results } from './results-schema.ts';

export interface TrendRow {
  runId: string;
  startedAt: string;
  gitSha: string;
  testplan: string;
  seed: number;
  verdict: Results['verdict'];
  iterations: number;
  fail: number;
  error: number;
  expectedDegraded: number;
  stallMs: Percentiles;
  switchoverP95: number | null;
  resyncP95: number | null;
  /** Stall p95 per fault kind. */
  kindStallP95: Record<string, number | null>;
}

export interface TrendDelta {
  fail: number;
  error: number;
  stallMedian: number | null;
  stallP95: number | null;
  stallP99: number | null;
  stallMax: number | null;
  switchoverP95: number | null;
  resyncP95: number | null;
}

export interface Trend {
  rows: TrendRow[];
  /** The reported run minus the run before it (null when only one run). */
  delta: TrendDelta | null;
  kinds: string[];
  /** Things that make the comparison less direct, e.g. a different testplan. */
  notes: string[];
}

function rowOf(r: Results): TrendRow {
  const s = r.statistics;
  return {
    runId: r.run.id,
    startedAt: r.run.startedAt,
    gitSha: r.run.stack.gitSha,
    testplan: r.run.testplan.name,
    seed: r.run.seed,
    verdict: r.verdict,
    iterations: s.totals.iterations,
    fail: s.totals.fail,
    error: s.totals.error,
    expectedDegraded: s.totals.expectedDegraded,
    stallMs: s.overall.stallMs,
    switchoverP95: s.overall.switchoverMs.p95,
    resyncP95: s.overall.resyncMs.p95,
    kindStallP95: Object.fromEntries(s.perKind.map((k) => [k.kind, k.stallMs.p95])),
  };
}

function diff(a: number | null, b: number | null): number | null {
  return a === null || b === null ? null : a - b;
}

export function buildTrend(current: Results, earlier: readonly Results[]): Trend {
  const before = [...earlier].sort(
    (a, b) => Date.parse(a.run.startedAt) - Date.parse(b.run.startedAt),
  );
  const rows = [...before.map(rowOf), rowOf(current)];
  const now = rows.at(-1)!;
  const prev = rows.length > 1 ? rows.at(-2)! : null;
  const notes: string[] = [];
  for (const r of rows.slice(0, -1)) {
    if (r.testplan !== now.testplan)
      notes.push(`${r.runId} ran testplan "${r.testplan}", not "${now.testplan}"`);
    if (r.runId === now.runId) notes.push(`${r.runId} is compared with itself`);
  }
  const kinds = [...new Set(rows.flatMap((r) => Object.keys(r.kindStallP95)))].sort();
  return {
    rows,
    kinds,
    notes,
    delta: prev && {
      fail: now.fail - prev.fail,
      error: now.error - prev.error,
      stallMedian: diff(now.stallMs.median, prev.stallMs.median),
      stallP95: diff(now.stallMs.p95, prev.stallMs.p95),
      stallP99: diff(now.stallMs.p99, prev.stallMs.p99),
      stallMax: diff(now.stallMs.max, prev.stallMs.max),
      switchoverP95: diff(now.switchoverP95, prev.switchoverP95),
      resyncP95: diff(now.resyncP95, prev.resyncP95),
    },
  };
}
