import test from 'ava';
import { makeSampleResults } from './fixtures/sample-results.ts';
import { renderHtml } from './html/page.ts';
import { renderJunit } from './junit.ts';
import { renderMarkdown } from './markdown.ts';
import type { Results } from './results-schema.ts';
import { finalizeResults } from './statistics.ts';
import { buildTrend } from './trend.ts';

test('the Markdown summary leads with the verdict and shows the failure evidence', (t) => {
  const r = makeSampleResults();
  const md = renderMarkdown(r);
  t.true(md.startsWith('## ❌ FAILED: qualification on bench-a'));
  t.regex(md, /\*\*#6 pull-front-cable-active: fail\*\*/);
  t.regex(md, /rst frame 48213 of `iter-06\/peer2\.pcap`/);
  t.regex(md, /#8 power-cycle-active: error.*\n.*SNMP_TIMEOUT/);
  t.regex(
    md,
    /#11 double-fault: expected-degraded\*\*.*\n {2}- 6 of 6 connections dropped, as this fault must/,
  );
  t.regex(md, /\| kill-active \| 4\/4 \|/);
  t.notRegex(md, /### Trend/);
});

test('Markdown table cells cannot break the table', (t) => {
  const r: Results = JSON.parse(JSON.stringify(makeSampleResults({ faults: 3 })));
  r.iterations[0]!.kind = 'kill-active';
  r.statistics.perKind[0]!.kind = 'a|b\nc';
  const md = renderMarkdown(r);
  t.true(md.includes('| a\\|b c |'));
});

test('a clean run passes, and the trend shows up in Markdown', (t) => {
  const earlier = makeSampleResults({ seed: 1, faults: 7, startedAt: '2026-11-25T02:00:00Z' });
  const r = makeSampleResults({ seed: 2, faults: 7, withFailure: false });
  t.is(r.verdict, 'pass');
  const md = renderMarkdown(r, { trend: buildTrend(r, [earlier]) });
  t.true(md.startsWith('## ✅ PASSED'));
  t.regex(md, /### Trend/);
  t.regex(md, /\| \*\*change\*\* \| {2}\| {2}\| −1 \| ±0 \|/);
});

test('the HTML is self-contained and escapes what it shows', (t) => {
  const r: Results = JSON.parse(
    JSON.stringify(makeSampleResults({ faults: 7, withFailure: false })),
  );
  r.iterations[0]!.summary = '<script>alert(1)</script> & "x"';
  const html = renderHtml(r);
  t.regex(html, /<div class="verdict">PASSED<\/div>/);
  t.false(html.includes('<script'));
  t.true(html.includes('&lt;script&gt;alert(1)&lt;/script&gt; &amp; &quot;x&quot;'));
  t.notRegex(html, /(src|href)="(https?:)?\/\//);
  t.notRegex(html, /@import|url\(/);
});

test('a run that aborted before any fault still renders every format', (t) => {
  const base = makeSampleResults({ faults: 0 });
  const r = finalizeResults({
    ...base,
    run: { ...base.run, error: { code: 'LAB_UNREACHABLE', message: 'rp1: no console login' } },
    connections: [],
    progress: [],
    iterations: [],
  });
  t.is(r.verdict, 'error');
  const html = renderHtml(r);
  t.regex(html, /INCOMPLETE/);
  t.regex(html, /LAB_UNREACHABLE: rp1: no console login/);
  t.regex(html, /No stall was measured/);
  t.regex(renderMarkdown(r), /\*\*Run aborted:\*\* `LAB_UNREACHABLE`/);
  t.regex(renderJunit(r), /<error message="rp1: no console login" type="LAB_UNREACHABLE">/);
});
