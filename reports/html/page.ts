/**
 * The HTML qualification report: one self-contained file (inline CSS and SVG,
 * no script, no network) that says at a glance whether the chassis passed and
 * shows the evidence. Prints to PDF as it is.
 */
import { shortSha } from '../format.ts';
import type { Results } from '../results-schema.ts';
import { measured } from '../statistics.ts';
import type { Trend } from '../trend.ts';
import { xmlAttr as esc } from '../xml.ts';
import { connectionColors, faultSection, overview } from './faults.ts';
import { artifactsSection, banner, environment, matrix, statisticsTable } from './sections.ts';
import { CSS } from './style.ts';
import { renderHistogram } from './svg-histogram.ts';
import { trendSection } from './trend-section.ts';

export interface HtmlOptions {
  trend?: Trend;
  /** When the report was written (defaults to now). */
  generatedAt?: Date;
}

export function renderHtml(r: Results, opts: HtmlOptions = {}): string {
  const colors = connectionColors(r);
  const stalls = r.iterations
    .filter((it) => measured(it) && it.expected === 'hitless' && it.stallMs !== null)
    .map((it) => it.stallMs as number);
  const title = `${r.run.testplan.name} on ${r.run.lab.name}: ${r.verdict.toUpperCase()}`;
  const toc = [
    ['environment', 'Environment'],
    ['matrix', 'Test matrix'],
    ['statistics', 'Statistics'],
    ['stalls', 'Stalls'],
    ['overview', 'Run timeline'],
    ['faults', 'Faults'],
    ...(opts.trend ? [['trend', 'Trend']] : []),
    ['artifacts', 'Artifacts'],
  ];
  const generated = (opts.generatedAt ?? new Date()).toISOString();
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="hitless report">
<title>${esc(title)}</title>
<style>${CSS}</style>
</head>
<body>
<main>
<h1>Qualification report: ${esc(r.run.testplan.name)}</h1>
<p class="subtitle">${esc(r.run.lab.name)} · stack ${esc(r.run.stack.version)} (${esc(shortSha(r.run.stack.gitSha))}) · seed ${r.run.seed} · run <span class="mono">${esc(r.run.id)}</span></p>
${banner(r)}
<nav class="toc">${toc.map(([id, label]) => `<a href="#${id}">${label}</a>`).join('')}</nav>
${environment(r)}
${matrix(r)}
${statisticsTable(r)}
<h2 id="stalls">Stalls over the run</h2>
<p class="muted">The longest stall of each fault expected to be hitless (${stalls.length} faults).</p>
<div class="chart" id="stall-histogram">${renderHistogram(stalls, r.checks.maxStallMs)}</div>
${overview(r, colors)}
<h2 id="faults">Faults</h2>
${r.iterations.map((it) => faultSection(r, it, colors)).join('\n')}
${opts.trend ? trendSection(opts.trend) : ''}
${artifactsSection(r)}
<footer>Written by <code>hitless report</code> from results.json (${esc(r.schema)}) at ${esc(generated)}. Times are relative to the start of the run, ${esc(r.run.startedAt)}.</footer>
</main>
</body>
</html>
`;
}
