import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import test from 'ava';
import { writeSampleRun } from '../../../reports/fixtures/sample-results.ts';

const CLI = join(dirname(fileURLToPath(import.meta.url)), '..', 'hitless.mjs');

function hitless(...args: string[]) {
  return spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', timeout: 60_000 });
}

function runs(t: import('ava').ExecutionContext) {
  const dir = mkdtempSync(join(tmpdir(), 'hlrep-cli-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const earlier = join(dir, 'earlier');
  const later = join(dir, 'later');
  const before = writeSampleRun(earlier, {
    seed: 7,
    stallFactor: 0.8,
    withFailure: false,
    startedAt: '2026-11-26T02:00:00Z',
  });
  const after = writeSampleRun(later, { seed: 8, stallFactor: 1.4 });
  return { dir, earlier, later, before, after };
}

test('report --compare writes the reports and shows the differences', (t) => {
  const { earlier, later, before, after } = runs(t);
  const res = hitless('report', later, '--format', 'html,junit,md', '--compare', earlier);
  t.is(res.status, 0, res.stderr);
  for (const f of ['report.html', 'junit.xml', 'summary.md']) t.true(existsSync(join(later, f)), f);
  t.false(existsSync(join(later, 'report.pdf')));
  t.regex(res.stdout, /: fail \(\d+ passed, 1 failed/);
  const p95 = (r: typeof before) => r.statistics.overall.stallMs.p95!;
  const delta = Math.round(p95(after) - p95(before));
  t.true(delta > 0);
  const change = res.stdout.split('\n').find((l) => l.startsWith('| **change**'));
  t.truthy(change, res.stdout);
  t.true(change!.includes(`| +1 |`), change);
  t.true(change!.includes(`+${delta} ms`), `${change} lacks +${delta} ms`);
  t.regex(readFileSync(join(later, 'summary.md'), 'utf8'), /### Trend/);
  t.regex(readFileSync(join(later, 'report.html'), 'utf8'), /id="trend"/);
});

test('report --json prints the files and the trend for programs', (t) => {
  const { earlier, later } = runs(t);
  const res = hitless('report', later, '--format', 'md', '--compare', earlier, '--json');
  t.is(res.status, 0, res.stderr);
  const out = JSON.parse(res.stdout);
  t.is(out.verdict, 'fail');
  t.deepEqual(Object.keys(out.files), ['md']);
  t.is(out.trend.delta.fail, 1);
  t.is(out.trend.rows.length, 2);
});

test('report exits 2 naming the file and key of a bad results.json', (t) => {
  const { later } = runs(t);
  const file = join(later, 'results.json');
  const data = JSON.parse(readFileSync(file, 'utf8'));
  data.iterations[1].times.inject = 'soon';
  writeFileSync(file, JSON.stringify(data));
  const res = hitless('report', later);
  t.is(res.status, 2);
  t.regex(res.stderr, /RESULTS_INVALID: .*results\.json: iterations\[1\]\.times\.inject:/);
});

test('report exits 2 on a missing run and on an unknown format', (t) => {
  const { dir, later } = runs(t);
  const missing = hitless('report', join(dir, 'nope'));
  t.is(missing.status, 2);
  t.regex(missing.stderr, /RESULTS_MISSING: .*nope\/results\.json: no such file/);
  const format = hitless('report', later, '--format', 'html,docx');
  t.is(format.status, 2);
  t.regex(format.stderr, /REPORT_FORMAT: unknown report format "docx"/);
});
