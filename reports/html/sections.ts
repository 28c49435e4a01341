/** The summary sections of the HTML report: banner, environment, matrix, statistics, artifacts. */
import {
  bytes,
  DASH,
  duration,
  ms,
  STATUS_LABEL,
  shortSha,
  VERDICT_EXPLAIN,
  VERDICT_HEADLINE,
} from '../format.ts';
import type {
  Artifact,
  IterationStatus,
  KindStatistics,
  Percentiles,
  Results,
} from '../results-schema.ts';
import { durationsOf } from '../statistics.ts';
import { xmlAttr as esc } from '../xml.ts';

export const STATUSES: IterationStatus[] = [
  'pass',
  'fail',
  'expected-degraded',
  'error',
  'skipped',
];

export function badge(status: IterationStatus): string {
  return `<span class="badge ${status}">${esc(STATUS_LABEL[status])}</span>`;
}

export function faultAnchor(index: number): string {
  return `fault-${String(index).padStart(2, '0')}`;
}

export function banner(r: Results): string {
  const t = r.statistics.totals;
  const chips = [
    `${t.iterations} faults`,
    `${t.pass} passed`,
    t.fail && `${t.fail} failed`,
    t.expectedDegraded && `${t.expectedDegraded} expected-degraded`,
    t.error && `${t.error} infrastructure error${t.error > 1 ? 's' : ''}`,
    t.skipped && `${t.skipped} skipped`,
    `${t.connections} connections`,
    `${bytes(t.bytes.toChassis + t.bytes.fromChassis)} verified`,
  ].filter(Boolean);
  const runError = r.run.error
    ? `<div class="explain">${esc(`${r.run.error.code}: ${r.run.error.message}`)}</div>`
    : '';
  return `<section class="banner ${r.verdict}" id="verdict">
  <div class="verdict">${VERDICT_HEADLINE[r.verdict]}</div>
  <div>
    <div class="explain">${esc(VERDICT_EXPLAIN[r.verdict])}</div>${runError}
    <div class="counts">${chips.map((c) => `<span class="chip">${esc(String(c))}</span>`).join('')}</div>
  </div>
</section>`;
}

function dl(rows: Array<[string, string]>): string {
  return `<dl>${rows.map(([k, v]) => `<dt>${esc(k)}</dt><dd>${v}</dd>`).join('')}</dl>`;
}

export function environment(r: Results): string {
  const run = r.run;
  const c = r.checks;
  const boards = run.boards.map((b) => [
    `slot ${b.slot}`,
    `<b>${esc(b.name)}</b>${[
      b.model,
      b.serial && `serial ${b.serial}`,
      b.firmware,
      b.mac,
      b.stackVersion && `stack ${b.stackVersion}`,
    ]
      .filter(Boolean)
      .map((x) => `<br><span class="muted">${esc(String(x))}</span>`)
      .join('')}`,
  ]) as Array<[string, string]>;
  const checks: Array<[string, string]> = [
    ['no drop', c.noDrop ? 'required' : 'not checked'],
    ['data integrity', c.dataIntegrity ? 'required' : 'not checked'],
    ['max stall', ms(c.maxStallMs)],
    ['max switchover', ms(c.maxSwitchoverMs)],
    ['max resync', ms(c.maxResyncMs)],
  ];
  return `<h2 id="environment">Environment</h2>
<div class="env">
  ${dl([
    [
      'testplan',
      `<b>${esc(run.testplan.name)}</b>${run.testplan.file ? ` <span class="muted mono">${esc(run.testplan.file)}</span>` : ''}`,
    ],
    ['seed', `<span class="mono">${run.seed}</span>`],
    ['lab', `${esc(run.lab.name)} <span class="muted">(${run.lab.kind})</span>`],
    [
      'stack',
      `${esc(run.stack.version)} <span class="mono">${esc(shortSha(run.stack.gitSha))}</span>${run.stack.dirty ? ' <span class="over">dirty tree</span>' : ''}`,
    ],
    ['started', esc(run.startedAt)],
    [
      'ended',
      `${esc(run.endedAt)} <span class="muted">(${duration(run.startedAt, run.endedAt)})</span>`,
    ],
    ...(run.host
      ? [
          [
            'runner',
            esc(`${run.host.hostname}${run.host.node ? `, node ${run.host.node}` : ''}`),
          ] as [string, string],
        ]
      : []),
  ])}
  ${dl(boards)}
  ${dl(checks.map(([k, v]) => [k, esc(v)]))}
</div>`;
}

export function matrix(r: Results): string {
  const kinds = r.statistics.perKind.map((k) => k.kind);
  const head = STATUSES.map((s) => `<th class="num">${esc(s)}</th>`).join('');
  const rows = kinds.map((kind) => {
    const its = r.iterations.filter((it) => it.kind === kind);
    const cells = STATUSES.map((s) => {
      const n = its.filter((it) => it.status === s).length;
      const cls = n === 0 ? 'num zero' : s === 'fail' ? 'num over' : 'num';
      return `<td class="${cls}">${n}</td>`;
    }).join('');
    const links = its
      .map((it) => `<a href="#${faultAnchor(it.index)}" title="${esc(it.status)}">${it.index}</a>`)
      .join(' ');
    return `<tr><td><b>${esc(kind)}</b></td><td class="num">${its.length}</td>${cells}<td>${links}</td></tr>`;
  });
  const iterationRows = r.iterations.map((it) => {
    const d = durationsOf(it);
    const ok = it.connections.filter((c) => c.verdict === 'ok').length;
    const over = (v: number | null, max?: number) =>
      it.expected === 'hitless' && v !== null && max !== undefined && v > max ? ' over' : '';
    return `<tr class="row-${it.status}"><td class="num"><a href="#${faultAnchor(it.index)}">${it.index}</a></td><td>${esc(it.kind)}</td><td>${badge(it.status)}</td>
<td class="num${over(it.stallMs, r.checks.maxStallMs)}">${ms(it.stallMs)}</td><td class="num${over(d.switchoverMs, r.checks.maxSwitchoverMs)}">${ms(d.switchoverMs)}</td>
<td class="num${over(d.resyncMs, r.checks.maxResyncMs)}">${ms(d.resyncMs)}</td><td class="num">${it.connections.length ? `${ok}/${it.connections.length}` : DASH}</td><td>${esc(it.summary)}</td></tr>`;
  });
  return `<h2 id="matrix">Test matrix</h2>
<table class="matrix"><thead><tr><th>fault kind</th><th class="num">runs</th>${head}<th>iterations</th></tr></thead>
<tbody>${rows.join('\n')}</tbody></table>
<h3 style="margin-top:18px">Every fault</h3>
<table class="iterations"><thead><tr><th class="num">#</th><th>fault</th><th>status</th><th class="num">stall</th><th class="num">switchover</th><th class="num">resync</th><th class="num">conns ok</th><th>summary</th></tr></thead>
<tbody>${iterationRows.join('\n')}</tbody></table>`;
}

function pcells(p: Percentiles, max: number | undefined, bounded: boolean): string {
  const cell = (v: number | null) =>
    `<td class="num${bounded && v !== null && max !== undefined && v > max ? ' over' : ''}">${v === null ? DASH : Math.round(v)}</td>`;
  return [p.min, p.median, p.p95, p.p99, p.max].map(cell).join('');
}

export function statisticsTable(r: Results): string {
  const sub = ['min', 'median', 'p95', 'p99', 'max']
    .map((h) => `<th class="num">${h}</th>`)
    .join('');
  const row = (k: KindStatistics, cls = '') => {
    const bounded =
      cls === 'total' || r.iterations.some((it) => it.kind === k.kind && it.expected === 'hitless');
    const c = r.checks;
    return `<tr class="${cls}"><td><b>${esc(k.kind)}</b></td><td class="num">${k.iterations}</td>${pcells(k.stallMs, c.maxStallMs, bounded)}${pcells(k.switchoverMs, c.maxSwitchoverMs, bounded)}${pcells(k.resyncMs, c.maxResyncMs, bounded)}</tr>`;
  };
  return `<h2 id="statistics">Statistics per fault kind</h2>
<table class="stats"><thead>
<tr><th rowspan="2">fault kind</th><th rowspan="2" class="num">faults</th><th colspan="5" class="group">stall (ms)</th><th colspan="5" class="group">switchover (ms)</th><th colspan="5" class="group">resync (ms)</th></tr>
<tr>${sub}${sub}${sub}</tr></thead>
<tbody>${r.statistics.perKind.map((k) => row(k)).join('\n')}
${row({ ...r.statistics.overall, kind: 'all hitless faults' }, 'total')}</tbody></table>
<p class="muted">Figures cover the faults that ran to completion (not skipped, no infrastructure error). Stall: the longest time any connection moved no data around the fault. Switchover: inject to takeover. Resync: heal (or takeover) to a hot standby again. Nearest-rank percentiles; values above the testplan's bounds are red.</p>`;
}

export function artifactLinks(list: readonly Artifact[]): string {
  if (list.length === 0) return '';
  return `<div class="artifacts">${list
    .map(
      (a) =>
        `<a href="${esc(encodeURI(a.path))}" title="${esc(a.kind)}">${esc(a.label ?? a.path.split('/').at(-1)!)}</a>`,
    )
    .join('')}</div>`;
}

export function artifactsSection(r: Results): string {
  const groups = [
    { of: 'the run', list: r.artifacts },
    ...r.iterations.map((it) => ({ of: `#${it.index} ${it.kind}`, list: it.artifacts })),
  ].filter((g) => g.list.length > 0);
  const link = (a: Artifact) =>
    `<a class="mono" href="${esc(encodeURI(a.path))}" title="${esc(a.label ?? a.kind)}">${esc(a.path)}</a>`;
  return `<h2 id="artifacts">Artifacts</h2>
<p class="muted">Paths are relative to this report's directory.</p>
<table class="artifact-list"><thead><tr><th>of</th><th>files</th></tr></thead><tbody>
${groups.map((g) => `<tr><td style="white-space:nowrap">${esc(g.of)}</td><td><div class="artifacts">${g.list.map(link).join(' ')}</div></td></tr>`).join('\n')}
</tbody></table>`;
}
