/**
 * The HTML report in real headless Chromium (Debian's /usr/bin/chromium): it
 * loads without console errors or network requests, every injected fault has
 * its band, and the page prints to a PDF with pages. A screenshot is kept
 * under reports/runs/test-artifacts/ for people to look at.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import test from 'ava';
import { type BrowserContext, chromium } from 'playwright-core';
import { writeSampleRun } from '../fixtures/sample-results.ts';
import { CHROMIUM_FLAGS, chromiumPath } from '../pdf.ts';
import { writeReports } from '../render.ts';
import type { Results } from '../results-schema.ts';

const ARTIFACTS = join(dirname(fileURLToPath(import.meta.url)), '..', 'runs', 'test-artifacts');
const work = mkdtempSync(join(tmpdir(), 'hlrep-browser-'));
let browser: BrowserContext | undefined;
let results: Results;
let html: string;

test.before(async () => {
  if (!existsSync(chromiumPath()))
    throw new Error(`${chromiumPath()} missing: apt-get install chromium`);
  const earlier = join(work, 'earlier');
  writeSampleRun(earlier, { seed: 11, withFailure: false, startedAt: '2026-11-26T02:00:00Z' });
  results = writeSampleRun(join(work, 'run'));
  const out = await writeReports(join(work, 'run'), {
    formats: ['html', 'pdf'],
    compare: [earlier],
  });
  html = out.files.html!;
  browser = await chromium.launchPersistentContext(join(work, 'profile'), {
    executablePath: chromiumPath(),
    headless: true,
    args: CHROMIUM_FLAGS.filter((f) => f !== '--headless'),
    viewport: { width: 1200, height: 900 },
  });
});

test.after.always(async () => {
  await browser?.close();
  rmSync(work, { recursive: true, force: true });
});

test('the report loads with no console errors and no network', async (t) => {
  const page = await browser!.newPage();
  const problems: string[] = [];
  const requests: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error' || m.type() === 'warning') problems.push(`${m.type()}: ${m.text()}`);
  });
  page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
  page.on('request', (r) => requests.push(r.url()));
  await page.goto(pathToFileURL(html).href, { waitUntil: 'load' });
  t.deepEqual(problems, []);
  t.deepEqual(
    requests.filter((u) => !u.startsWith('file:')),
    [],
  );
  t.is((await page.locator('.banner .verdict').textContent()) ?? '', 'FAILED');
  t.is(await page.locator('script, link[rel=stylesheet], img, iframe').count(), 0);
  mkdirSync(ARTIFACTS, { recursive: true });
  await page.screenshot({ path: join(ARTIFACTS, 'report.png'), fullPage: true });
  await page.locator('#fault-06').screenshot({ path: join(ARTIFACTS, 'report-fault-06.png') });
  t.true(readFileSync(join(ARTIFACTS, 'report.png')).length > 10_000);
  await page.close();
});

test('one fault band per injected fault, in the overview and in each close-up', async (t) => {
  const page = await browser!.newPage();
  await page.goto(pathToFileURL(html).href);
  const injected = results.iterations
    .filter((it) => it.times.inject !== undefined)
    .map((it) => it.index);
  t.true(injected.length >= 10);
  const overviewBands = await page
    .locator('#overview-plot .fault-band')
    .evaluateAll((els) => els.map((e) => Number(e.getAttribute('data-iteration'))));
  t.deepEqual(overviewBands, injected);
  const charts = page.locator('.fault-chart');
  t.is(await charts.count(), injected.length);
  for (let i = 0; i < injected.length; i++) {
    const chart = charts.nth(i);
    t.is(await chart.getAttribute('data-iteration'), String(injected[i]));
    t.is(await chart.locator('.fault-band').count(), 1, `chart of fault ${injected[i]}`);
    t.is(await chart.locator('path.progress').count(), results.connections.length);
    t.is(await chart.locator('rect.stall').count(), 1);
    const box = await chart.locator('svg').boundingBox();
    t.true(box !== null && box.width > 500 && box.height > 100);
  }
  // The failing fault shows its RST evidence; the double fault says it was expected.
  t.regex((await page.locator('#fault-06 table.evidence').textContent()) ?? '', /rst[\s\S]*48213/);
  t.regex((await page.locator('#fault-11 .badge').textContent()) ?? '', /expected-degraded/);
  t.regex((await page.locator('#fault-08').textContent()) ?? '', /SNMP_TIMEOUT/);
  await page.close();
});

test('the stall histogram counts every measured stall and the trend shows the change', async (t) => {
  const page = await browser!.newPage();
  await page.goto(pathToFileURL(html).href);
  const counts = await page
    .locator('#stall-histogram .bar-count')
    .evaluateAll((els) => els.map((e) => e.textContent ?? ''));
  const expected = results.iterations.filter(
    (it) =>
      it.expected === 'hitless' &&
      it.stallMs !== null &&
      it.status !== 'error' &&
      it.status !== 'skipped',
  ).length;
  t.is(
    counts.reduce((a, c) => a + Number(c), 0),
    expected,
  );
  const trend = (await page.locator('table.trend tr.delta').textContent()) ?? '';
  t.regex(trend, /\+1/);
  await page.close();
});

test('the PDF is produced and has pages', (t) => {
  const pdf = join(work, 'run', 'report.pdf');
  t.is(readFileSync(pdf).subarray(0, 5).toString(), '%PDF-');
  const info = spawnSync('pdfinfo', [pdf], { encoding: 'utf8' });
  const pages =
    info.status === 0
      ? Number(/^Pages:\s+(\d+)/m.exec(info.stdout)?.[1])
      : (readFileSync(pdf, 'latin1').match(/\/Type\s*\/Page(?!s)/g) ?? []).length;
  t.true(pages >= 3, `${pages} pages`);
});
