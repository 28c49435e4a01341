import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import test from 'ava';
import { writeSampleRun } from './fixtures/sample-results.ts';
import { ReportError } from './load-results.ts';
import { parseFormats, writeReports } from './render.ts';

test('formats: a testplan list is accepted as is, repeats dropped, unknown ones named', (t) => {
  t.deepEqual(parseFormats('json,junit,html,md,html'), ['json', 'junit', 'html', 'md']);
  t.deepEqual(parseFormats(' pdf '), ['pdf']);
  t.is(
    t.throws(() => parseFormats('html,xlsx'), { instanceOf: ReportError })?.code,
    'REPORT_FORMAT',
  );
  t.throws(() => parseFormats(','), { message: /no report format/ });
});

test('writeReports writes beside results.json and names a missing Chromium', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'hlrep-render-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  writeSampleRun(dir, { faults: 3 });
  const out = await writeReports(join(dir, 'results.json'), { formats: ['json', 'md', 'junit'] });
  t.deepEqual(out.files, {
    json: join(dir, 'results.json'),
    md: join(dir, 'summary.md'),
    junit: join(dir, 'junit.xml'),
  });
  t.true(existsSync(join(dir, 'summary.md')));
  t.false(existsSync(join(dir, 'report.html')));
  const err = await t.throwsAsync(
    writeReports(dir, { formats: ['pdf'], chromium: join(dir, 'no-chromium') }),
    { instanceOf: ReportError },
  );
  t.is(err?.code, 'PDF_FAILED');
  t.regex(err?.message ?? '', /no-chromium: Chromium not found/);
});
