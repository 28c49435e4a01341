/** The run overview and the per-fault close-ups: charts, key times, verdicts and evidence. */
import { bytes, clock, DASH, ms } from '../format.ts';
import type { Iteration, Results } from '../results-schema.ts';
import { durationsOf } from '../statistics.ts';
import { xmlAttr as esc } from '../xml.ts';
import { artifactLinks, badge, faultAnchor } from './sections.ts';
import { type Band, renderTimeline } from './svg-timeline.ts';

const PALETTE = [
  '#0072b2',
  '#e69f00',
  '#009e73',
  '#cc79a7',
  '#56b4e9',
  '#d55e00',
  '#332288',
  '#117733',
  '#882255',
  '#44aa99',
];

export type Colors = Map<string, string>;

export function connectionColors(r: Results): Colors {
  return new Map(r.connections.map((c, i) => [c.id, PALETTE[i % PALETTE.length]!]));
}

export function legend(colors: Colors, withStall: boolean): string {
  const items = [...colors].map(
    ([id, color]) => `<span><i class="sw line" style="background:${color}"></i>${esc(id)}</span>`,
  );
  items.push('<span><i class="sw band"></i>fault (inject → heal)</span>');
  if (withStall) items.push('<span><i class="sw stall"></i>longest stall</span>');
  items.push('<span><i class="sw role"></i>role change</span>');
  return `<div class="legend">${items.join('')}</div>`;
}

/** The shaded interval of a fault: from inject until it was healed or over. */
function bandOf(it: Iteration): Band | null {
  const t = it.times;
  if (t.inject === undefined) return null;
  const end = t.heal ?? t.firstPeerProgress ?? t.takeover ?? t.detection ?? t.inject;
  return {
    from: t.inject,
    to: Math.max(end, t.inject),
    label: `#${it.index} ${it.kind}: ${it.status}`,
    status: it.status,
    iteration: it.index,
    href: `#${faultAnchor(it.index)}`,
  };
}

function series(r: Results, colors: Colors) {
  return r.progress.map((p) => ({
    connection: p.connection,
    color: colors.get(p.connection) ?? '#57606a',
    samples: p.samples,
  }));
}

function runEnd(r: Results): number {
  const last = r.progress.flatMap((p) => p.samples.slice(-1).map((s) => s[0]));
  return Math.max(1, Date.parse(r.run.endedAt) - Date.parse(r.run.startedAt), ...last);
}

export function overview(r: Results, colors: Colors): string {
  const bands = r.iterations.map(bandOf).filter((b): b is Band => b !== null);
  const chart = renderTimeline({
    id: 'overview-chart',
    title: 'progress of every connection over the whole run',
    from: 0,
    to: runEnd(r),
    series: series(r, colors),
    bands,
    roleChanges: r.roleChanges.filter((c) => c.to === 'active'),
    boardOnlyLabels: true,
    relative: false,
  });
  return `<h2 id="overview">Run timeline</h2>
<p class="muted">Bytes acknowledged per connection over the run; each shaded band is one injected fault (click a number for its close-up); dashed rules mark the board that became active.</p>
<div class="chart" id="overview-plot">${chart}</div>${legend(colors, false)}`;
}

function keyTimes(r: Results, it: Iteration): string {
  const t = it.times;
  const d = durationsOf(it);
  const rel = (v: number | undefined) =>
    v === undefined || t.inject === undefined ? DASH : `+${ms(v - t.inject)}`;
  const bounded = it.expected === 'hitless';
  const over = (v: number | null, max?: number) =>
    bounded && v !== null && max !== undefined && v > max ? ' class="over"' : '';
  const chips = [
    `injected <b>${clock(t.inject)}</b>`,
    `detected <b>${rel(t.detection)}</b>`,
    t.takeover !== undefined &&
      `takeover <b${over(d.switchoverMs, r.checks.maxSwitchoverMs)}>${rel(t.takeover)}</b>`,
    `peers moving <b>${rel(t.firstPeerProgress)}</b>`,
    t.heal !== undefined && `healed <b>${rel(t.heal)}</b>`,
    `hot again <b>${rel(t.resyncDone)}</b>${d.resyncMs !== null ? ` (resync <b${over(d.resyncMs, r.checks.maxResyncMs)}>${ms(d.resyncMs)}</b>)` : ''}`,
    `longest stall <b${over(it.stallMs, r.checks.maxStallMs)}>${it.stallMs === null ? 'never resumed' : ms(it.stallMs)}</b>`,
  ].filter(Boolean);
  return `<div class="keytimes">${chips.map((c) => `<span class="chip">${c}</span>`).join('')}</div>`;
}

function connectionsBlock(r: Results, it: Iteration): string {
  const n = it.connections.length;
  if (n === 0) return '';
  const moved = bytes(it.bytes.toChassis + it.bytes.fromChassis);
  if (it.connections.every((c) => c.verdict === 'ok')) {
    const stalls = it.connections.map((c) => c.stallMs ?? 0);
    return `<p class="muted">${n}/${n} connections ok · stalls ${ms(Math.min(...stalls))}–${ms(Math.max(...stalls))} · ${moved} moved</p>`;
  }
  const rows = it.connections.map((c) => {
    const conn = r.connections.find((x) => x.id === c.connection);
    return `<tr><td><b>${esc(c.connection)}</b></td><td class="mono">${esc(conn ? `${conn.local} → ${conn.remote}` : '')}</td><td class="v-${c.verdict}">${esc(c.verdict)}</td><td class="num">${c.stallMs === null ? 'never resumed' : ms(c.stallMs)}</td><td class="num">${bytes(c.bytes.toChassis)}</td><td class="num">${bytes(c.bytes.fromChassis)}</td></tr>`;
  });
  const inject = it.times.inject ?? 0;
  const evidence = it.connections
    .flatMap((c) => c.evidence.map((e) => ({ c, e })))
    .sort((a, b) => a.e.time - b.e.time)
    .map(({ c, e }) => {
      const frame =
        e.frame === undefined
          ? DASH
          : e.pcap
            ? `<a href="${esc(encodeURI(e.pcap))}">${esc(e.pcap.split('/').at(-1)!)}</a> #${e.frame}`
            : `#${e.frame}`;
      return `<tr><td class="num">+${ms(e.time - inject)}</td><td>${esc(c.connection)}</td><td><b>${esc(e.kind)}</b></td><td class="mono">${frame}</td><td>${esc(e.detail)}</td></tr>`;
    });
  return `<table class="conns"><thead><tr><th>connection</th><th>peer → chassis</th><th>verdict</th><th class="num">stall</th><th class="num">to chassis</th><th class="num">from chassis</th></tr></thead><tbody>${rows.join('')}</tbody></table>
${evidence.length ? `<table class="evidence" style="margin-top:8px"><thead><tr><th class="num">time</th><th>connection</th><th>evidence</th><th>frame</th><th>detail</th></tr></thead><tbody>${evidence.join('')}</tbody></table>` : ''}`;
}

export function faultSection(r: Results, it: Iteration, colors: Colors): string {
  const params = Object.entries(it.params ?? {}).map(([k, v]) => `${k}=${v}`);
  const target = it.target ? `rp${it.target.slot} (${it.target.role})` : '';
  const head = `<header><h3>#${it.index} ${esc(it.kind)}</h3>${badge(it.status)}<span class="muted">${esc([target, ...params].filter(Boolean).join(' · '))}</span></header>
<p class="summary">${esc(it.summary)}</p>`;
  const band = bandOf(it);
  let body = '';
  if (it.error) {
    body += `<p class="notes"><b>${esc(it.error.code)}</b>: ${esc(it.error.message)}</p>`;
  }
  if (band && it.times.inject !== undefined) {
    const inject = it.times.inject;
    const evidenceEnd = Math.max(
      inject,
      ...it.connections.flatMap((c) => c.evidence.map((e) => e.time)),
    );
    const stallEnd = inject + (it.stallMs ?? 0);
    const last = Math.max(
      band.to,
      evidenceEnd,
      stallEnd,
      it.times.firstPeerProgress ?? 0,
      inject + 1500,
    );
    const from = Math.max(0, inject - 1000);
    const to = Math.min(runEnd(r), last + 1200);
    const chart = renderTimeline({
      id: `chart-${it.index}`,
      title: `progress around fault #${it.index} ${it.kind}`,
      from,
      to,
      series: series(r, colors),
      bands: [{ ...band, status: 'close-up', label: it.kind, href: undefined }],
      roleChanges: r.roleChanges,
      highlightStallAfter: inject - 50,
      relative: true,
      origin: inject,
    });
    body += `${keyTimes(r, it)}<div class="chart fault-chart" data-iteration="${it.index}">${chart}</div>${legend(colors, true)}`;
  }
  body += connectionsBlock(r, it);
  return `<section class="fault status-${it.status}" id="${faultAnchor(it.index)}">${head}${body}${artifactLinks(it.artifacts)}</section>`;
}
