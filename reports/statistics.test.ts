import test from 'ava';
import fc from 'fast-check';
import { makeSampleResults } from './fixtures/sample-results.ts';
import { downsampleProgress, longestStall } from './progress.ts';
import type { Iteration, Sample } from './results-schema.ts';
import { durationsOf, percentile, summarize, verdictOf } from './statistics.ts';
import { buildTrend } from './trend.ts';

test('nearest-rank percentiles', (t) => {
  const hundred = Array.from({ length: 100 }, (_, i) => i + 1);
  t.is(percentile(hundred, 50), 50);
  t.is(percentile(hundred, 95), 95);
  t.is(percentile(hundred, 99), 99);
  t.is(percentile([7], 99), 7);
  t.is(percentile([], 50), null);
  t.deepEqual(summarize([30, 10, 20]), { n: 3, min: 10, median: 20, p95: 30, p99: 30, max: 30 });
});

test('percentiles are ordered for any input', (t) => {
  fc.assert(
    fc.property(fc.array(fc.double({ min: 0, max: 1e6, noNaN: true }), { minLength: 1 }), (xs) => {
      const s = summarize(xs);
      return s.min! <= s.median! && s.median! <= s.p95! && s.p95! <= s.p99! && s.p99! <= s.max!;
    }),
  );
  t.pass();
});

test('durations: switchover from inject, resync from heal, else takeover', (t) => {
  const it = {
    times: { inject: 1000, detection: 1150, takeover: 1180, heal: 3000, resyncDone: 7000 },
  } as Iteration;
  t.deepEqual(durationsOf(it), {
    detectionMs: 150,
    switchoverMs: 180,
    recoveryMs: null,
    resyncMs: 4000,
  });
  const planned = { times: { inject: 1000, takeover: 1030, resyncDone: 1600 } } as Iteration;
  t.is(durationsOf(planned).resyncMs, 570);
});

test('verdict: a failure beats an error, expected-degraded and skipped do not fail', (t) => {
  const its = (...s: Iteration['status'][]) => s.map((status) => ({ status }) as Iteration);
  t.is(verdictOf(its('pass', 'expected-degraded', 'skipped')), 'pass');
  t.is(verdictOf(its('pass', 'error')), 'error');
  t.is(verdictOf(its('error', 'fail')), 'fail');
  t.is(verdictOf(its('pass'), { code: 'LAB_DOWN' }), 'error');
});

test('downsampling bounds the series and keeps a short stall in a long run', (t) => {
  const samples: Sample[] = [];
  let bytes = 0;
  for (let time = 0; time <= 3_600_000; time += 10) {
    const stalled = time > 1_234_560 && time <= 1_234_560 + 230;
    if (!stalled) bytes += 1000;
    samples.push([time, bytes]);
  }
  const thin = downsampleProgress(samples, 2000);
  t.true(thin.length <= 2002, `${thin.length} points`);
  t.deepEqual(thin[0], samples[0]);
  t.deepEqual(thin.at(-1), samples.at(-1));
  t.deepEqual(longestStall(thin, 0, 3_600_000), longestStall(samples, 0, 3_600_000));
  t.deepEqual(longestStall(samples, 0, 3_600_000), [1_234_560, 1_234_790]);
  for (let i = 1; i < thin.length; i++) t.true(thin[i]![0] > thin[i - 1]![0]);
});

test('trend: deltas of the reported run against the one before it', (t) => {
  const older = makeSampleResults({
    seed: 3,
    startedAt: '2026-11-20T02:00:00Z',
    withFailure: false,
  });
  const old = makeSampleResults({
    seed: 4,
    startedAt: '2026-11-25T02:00:00Z',
    withFailure: false,
    stallFactor: 0.5,
  });
  const now = makeSampleResults({ seed: 5, startedAt: '2026-11-26T02:00:00Z' });
  const trend = buildTrend(now, [old, older]);
  t.deepEqual(
    trend.rows.map((r) => r.startedAt.slice(0, 10)),
    ['2026-11-20', '2026-11-25', '2026-11-26'],
  );
  t.is(trend.delta!.fail, 1);
  t.is(
    trend.delta!.stallP95,
    now.statistics.overall.stallMs.p95! - old.statistics.overall.stallMs.p95!,
  );
  t.true(trend.delta!.stallP95! > 0);
  t.deepEqual(trend.notes, []);
  const other = { ...older, run: { ...older.run, testplan: { name: 'smoke' } } };
  t.regex(buildTrend(now, [other]).notes[0]!, /testplan "smoke"/);
});
