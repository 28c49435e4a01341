/** The trend table of the HTML report: this run against earlier ones. */
import { DASH, deltaCount, deltaMs, ms, shortSha } from '../format.ts';
import type { Trend } from '../trend.ts';
import { xmlAttr as esc } from '../xml.ts';

/** Worse (positive) deltas red, better green. */
function tone(value: number | null): string {
  if (value === null || Math.round(value) === 0) return '';
  return value > 0 ? ' worse' : ' better';
}

export function trendSection(trend: Trend): string {
  const rows = trend.rows.map((row, i) => {
    const current = i === trend.rows.length - 1;
    return `<tr${current ? ' style="font-weight:600"' : ''}><td title="${esc(row.runId)}" style="white-space:nowrap">${esc(row.startedAt.slice(0, 16).replace('T', ' '))}${current ? ' <span class="chip">this run</span>' : ''}</td><td class="mono">${esc(shortSha(row.gitSha))}</td><td><span class="badge ${row.verdict === 'pass' ? 'pass' : row.verdict}">${esc(row.verdict)}</span></td><td class="num">${row.iterations}</td><td class="num${row.fail ? ' over' : ''}">${row.fail}</td><td class="num">${row.error}</td><td class="num">${ms(row.stallMs.median)}</td><td class="num">${ms(row.stallMs.p95)}</td><td class="num">${ms(row.stallMs.p99)}</td><td class="num">${ms(row.stallMs.max)}</td><td class="num">${ms(row.switchoverP95)}</td><td class="num">${ms(row.resyncP95)}</td></tr>`;
  });
  const d = trend.delta;
  const deltaRow = d
    ? `<tr class="delta"><td colspan="4"><b>change against the previous run</b></td><td class="num${tone(d.fail)}">${deltaCount(d.fail)}</td><td class="num${tone(d.error)}">${deltaCount(d.error)}</td>${[d.stallMedian, d.stallP95, d.stallP99, d.stallMax, d.switchoverP95, d.resyncP95].map((v) => `<td class="num${tone(v)}">${deltaMs(v)}</td>`).join('')}</tr>`
    : '';
  const perKind = trend.kinds.map((kind) => {
    const values = trend.rows.map((row) =>
      kind in row.kindStallP95 ? row.kindStallP95[kind]! : null,
    );
    const now = values.at(-1) ?? null;
    const prev = values.length > 1 ? (values.at(-2) ?? null) : null;
    const delta = now !== null && prev !== null ? now - prev : null;
    return `<tr><td><b>${esc(kind)}</b></td>${values.map((v) => `<td class="num">${v === null ? DASH : ms(v)}</td>`).join('')}<td class="num${tone(delta)}">${deltaMs(delta)}</td></tr>`;
  });
  const notes = trend.notes.length
    ? `<p class="notes">${trend.notes.map((n) => esc(n)).join('<br>')}</p>`
    : '';
  return `<h2 id="trend">Trend against earlier runs</h2>
${notes}
<table class="trend"><thead><tr><th>run</th><th>stack</th><th>verdict</th><th class="num">faults</th><th class="num">failed</th><th class="num">errors</th><th class="num">stall median</th><th class="num">stall p95</th><th class="num">stall p99</th><th class="num">stall max</th><th class="num">switchover p95</th><th class="num">resync p95</th></tr></thead>
<tbody>${rows.join('\n')}${deltaRow}</tbody></table>
<h3 style="margin-top:16px">Stall p95 per fault kind</h3>
<table class="trend-kinds"><thead><tr><th>fault kind</th>${trend.rows.map((r, i) => `<th class="num">${i === trend.rows.length - 1 ? 'this run' : esc(r.startedAt.slice(0, 10))}</th>`).join('')}<th class="num">change</th></tr></thead>
<tbody>${perKind.join('\n')}</tbody></table>`;
}
