/**
 * Iteration status from what was seen: a double fault is expected-degraded
 * (never a pass), a fault with nothing to watch is an error, a broken
 * connection fails, an interrupted fault is an error, bounds are checked.
 */
import test from 'ava';
import type { ConnectionResult } from '../../reports/results-schema.ts';
import { FAULTS } from '../faults/index.ts';
import type { LoadedTestplan } from '../plan/load.ts';
import { FAULT_KINDS, testplanSchema } from '../plan/schema.ts';
import { type IterationRecord, iterationOf } from './results.ts';

const plan = {
  ...testplanSchema.parse({
    name: 'x',
    traffic: {},
    faults: { schedule: [{ kind: 'kill-active' }] },
    checks: { switchover_ms: 500 },
  }),
  file: '/x.yaml',
} as LoadedTestplan;

const rec = (over: Partial<IterationRecord> = {}): IterationRecord => ({
  index: 1,
  kind: 'kill-active',
  expected: 'no-drop',
  spanStart: 1000,
  spanEnd: 9000,
  inject: 2000,
  takeover: 2100,
  heal: 2000,
  resyncDone: 3000,
  ...over,
});

const conn = (
  verdict: ConnectionResult['verdict'],
  stallMs: number | null = 40,
): ConnectionResult => ({
  connection: 'peer1/c0',
  verdict,
  stallMs,
  bytes: { toChassis: 10, fromChassis: 20 },
  evidence: [],
});

test('clean connections and a takeover in bounds: pass, times relative to the run start', (t) => {
  const it = iterationOf(rec(), [conn('ok'), conn('ok', 80)], plan, 1000, []);
  t.is(it.status, 'pass');
  t.is(it.expected, 'hitless');
  t.is(it.stallMs, 80);
  t.deepEqual(it.times, { inject: 1000, takeover: 1100, heal: 1000, resyncDone: 2000 });
  t.deepEqual(it.bytes, { toChassis: 20, fromChassis: 40 });
});

test('a slow takeover fails the iteration even with clean connections', (t) => {
  const it = iterationOf(rec({ takeover: 2900 }), [conn('ok')], plan, 1000, []);
  t.is(it.status, 'fail');
  t.regex(it.summary, /switchover took 900 ms \(limit 500 ms\)/);
});

test('a broken connection fails; a double fault is expected-degraded whatever happened', (t) => {
  t.is(iterationOf(rec(), [conn('ok'), conn('drop', null)], plan, 1000, []).status, 'fail');
  const df = iterationOf(
    rec({ kind: 'double-fault', expected: 'degraded' }),
    [conn('drop')],
    plan,
    1000,
    [],
  );
  t.is(df.status, 'expected-degraded');
  t.is(df.expected, 'expected-degraded');
  const quiet = iterationOf(
    rec({ kind: 'double-fault', expected: 'degraded' }),
    [conn('ok')],
    plan,
    1000,
    [],
  );
  t.is(quiet.status, 'expected-degraded');
  t.regex(quiet.summary, /no connection dropped/);
});

test('nothing to watch, an inconclusive view or an interruption is an error, never a pass', (t) => {
  const none = iterationOf(rec(), [], plan, 1000, []);
  t.is(none.status, 'error');
  t.is(none.error?.code, 'RUN_NO_TRAFFIC');
  const unsure = iterationOf(rec(), [conn('ok'), conn('inconclusive')], plan, 1000, []);
  t.is(unsure.status, 'error');
  t.is(unsure.error?.code, 'RUN_INCONCLUSIVE');
  const cut = iterationOf(
    rec({ error: { code: 'RUN_INTERRUPTED', message: 'interrupted' } }),
    [conn('ok')],
    plan,
    1000,
    [],
  );
  t.is(cut.status, 'error');
});

test("the fault library's expected outcome maps onto the results' vocabulary", (t) => {
  for (const kind of FAULT_KINDS) {
    const expected = FAULTS[kind].expected;
    const it = iterationOf(rec({ kind, expected }), [conn('drop')], plan, 1000, []);
    t.is(it.expected, expected === 'degraded' ? 'expected-degraded' : 'hitless', kind);
    t.is(it.status, expected === 'degraded' ? 'expected-degraded' : 'fail', kind);
  }
  t.is(
    iterationOf(rec({ kind: 'double-fault', expected: 'degraded' }), [], plan, 1000, []).expected,
    'expected-degraded',
  );
});

test('a double fault that could not be completed is an error, not a failure of the device', (t) => {
  const it = iterationOf(
    rec({
      kind: 'double-fault',
      expected: 'degraded',
      error: { code: 'RUN_TIMEOUT', message: 'no hot standby within 15000 ms' },
    }),
    [conn('drop')],
    plan,
    1000,
    [],
  );
  t.is(it.status, 'error');
  t.is(it.expected, 'expected-degraded');
  t.is(it.error?.code, 'RUN_TIMEOUT');
});

test('a pair that never resyncs fails the iteration, a double fault too; a lab timeout stays an error', (t) => {
  const notHot = { code: 'RUN_NOT_HOT', message: 'timed out waiting for a hot standby' };
  const it = iterationOf(rec({ error: notHot }), [conn('ok')], plan, 1000, []);
  t.is(it.status, 'fail');
  t.is(it.error?.code, 'RUN_NOT_HOT');
  const df = iterationOf(
    rec({ kind: 'double-fault', expected: 'degraded', error: notHot }),
    [conn('drop')],
    plan,
    1000,
    [],
  );
  t.is(df.status, 'fail');
  t.regex(df.summary, /hot standby; 1 of 1 connections failed/);
  const lab = { code: 'RUN_TIMEOUT', message: 'timed out waiting for rp0 to boot (SSH)' };
  t.is(iterationOf(rec({ error: lab }), [conn('ok')], plan, 1000, []).status, 'error');
});

test("a pulled front cable is judged like any fault: within the plan's stall limit", (t) => {
  const it = iterationOf(
    rec({ kind: 'pull-front-cable-active', holdMs: 2000, takeover: undefined }),
    [conn('ok', 300)],
    plan,
    1000,
    [],
  );
  t.is(it.status, 'pass');
  t.regex(it.summary, /no drop, longest stall 300 ms$/);
});
