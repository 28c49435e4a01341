import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import test from 'ava';
import { makeSampleResults, writeSampleRun } from './fixtures/sample-results.ts';
import { loadResults, ReportError, type ReportErrorCode } from './load-results.ts';
import { RESULTS_SCHEMA_ID, Results } from './results-schema.ts';
import { computeStatistics } from './statistics.ts';
import { JSON_SCHEMA_FILE, jsonSchemaText } from './write-json-schema.ts';

function tempDir(t: { teardown: (fn: () => void) => void }): string {
  const dir = mkdtempSync(join(tmpdir(), 'hlrep-schema-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

function rejects(
  t: import('ava').ExecutionContext,
  dir: string,
  code: ReportErrorCode,
  ...fragments: string[]
) {
  const err = t.throws(() => loadResults(dir), { instanceOf: ReportError });
  t.is(err?.code, code);
  for (const f of fragments) t.true(err?.message.includes(f), `"${f}" not in: ${err?.message}`);
}

test('the sample run is valid, bounded and has every kind of outcome', (t) => {
  const r = makeSampleResults();
  t.true(Results.safeParse(JSON.parse(JSON.stringify(r))).success);
  t.is(r.schema, RESULTS_SCHEMA_ID);
  const statuses = new Set(r.iterations.map((it) => it.status));
  t.deepEqual([...statuses].sort(), ['error', 'expected-degraded', 'fail', 'pass', 'skipped']);
  t.true(new Set(r.iterations.map((it) => it.kind)).size >= 8);
  const failed = r.iterations.find((it) => it.status === 'fail')!;
  t.true(failed.connections.some((c) => c.evidence.some((e) => e.kind === 'rst' && e.frame! > 0)));
  t.is(r.verdict, 'fail');
});

test('stored statistics agree with the iterations', (t) => {
  const r = makeSampleResults({ seed: 99 });
  t.deepEqual(r.statistics, computeStatistics(r.iterations, r.connections.length));
  const kill = r.statistics.perKind.find((k) => k.kind === 'kill-active')!;
  const stalls = r.iterations.filter((it) => it.kind === 'kill-active').map((it) => it.stallMs!);
  t.is(kill.stallMs.max, Math.max(...stalls));
  t.is(kill.stallMs.min, Math.min(...stalls));
});

test('the same seed gives the same results, another seed other results', (t) => {
  t.deepEqual(makeSampleResults({ seed: 5 }), makeSampleResults({ seed: 5 }));
  t.notDeepEqual(
    makeSampleResults({ seed: 5 }).iterations,
    makeSampleResults({ seed: 6 }).iterations,
  );
});

test('results.schema.json is up to date (npm run schema:results)', (t) => {
  t.is(readFileSync(JSON_SCHEMA_FILE, 'utf8'), jsonSchemaText());
  const schema = JSON.parse(jsonSchemaText());
  t.is(schema.properties.schema.const, RESULTS_SCHEMA_ID);
  t.deepEqual(schema.properties.iterations.items.properties.status.enum, [
    'pass',
    'fail',
    'error',
    'skipped',
    'expected-degraded',
  ]);
});

test('loadResults reads a run directory or the file itself', (t) => {
  const dir = tempDir(t);
  const written = writeSampleRun(dir, { faults: 4 });
  t.deepEqual(loadResults(dir), written);
  t.deepEqual(loadResults(join(dir, 'results.json')), written);
});

test('loadResults names the missing file', (t) => {
  const dir = tempDir(t);
  rejects(t, dir, 'RESULTS_MISSING', join(dir, 'results.json'), 'no such file');
});

test('loadResults names line and column of broken JSON', (t) => {
  const dir = tempDir(t);
  writeFileSync(
    join(dir, 'results.json'),
    '{\n  "schema": "hitless-results/1",\n  "verdict": pass\n}\n',
  );
  rejects(t, dir, 'RESULTS_JSON', 'results.json:3:', 'not valid JSON');
});

test('loadResults refuses another schema version, naming both', (t) => {
  const dir = tempDir(t);
  const r = { ...makeSampleResults({ faults: 2 }), schema: 'hitless-results/2' };
  writeFileSync(join(dir, 'results.json'), JSON.stringify(r));
  rejects(t, dir, 'RESULTS_VERSION', 'hitless-results/2', 'hitless-results/1');
});

test('loadResults names the key of a bad value and of an unknown key', (t) => {
  const dir = tempDir(t);
  const r = JSON.parse(JSON.stringify(makeSampleResults({ faults: 3 })));
  r.iterations[2].status = 'passed';
  r.iterations[0].connections[1].evidence.push({ kind: 'rst', time: -1, detail: 'x' });
  r.run.colour = 'blue';
  r.artifacts.push({ path: '../../etc/passwd', kind: 'other' });
  writeFileSync(join(dir, 'results.json'), JSON.stringify(r));
  rejects(
    t,
    dir,
    'RESULTS_INVALID',
    'iterations[2].status',
    'iterations[0].connections[1].evidence[0].time',
    'colour',
    'artifacts[3].path: must be a relative path',
  );
});
