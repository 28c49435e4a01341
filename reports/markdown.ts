/**
 * The Markdown summary for chat and pull-request comments: the verdict first,
 * then what failed and why, statistics per fault kind, and the trend.
 */
import {
  clock,
  DASH,
  deltaCount,
  deltaMs,
  duration,
  ms,
  shortSha,
  VERDICT_HEADLINE,
} from './format.ts';
import type { Iteration, Results } from './results-schema.ts';
import { durationsOf } from './statistics.ts';
import type { Trend } from './trend.ts';

const ICON = { pass: '✅', fail: '❌', error: '⚠️' } as const;

/** Table cells: no pipes or line breaks. */
function cell(s: string): string {
  return s.replaceAll('\\', '\\\\').replaceAll('|', '\\|').replace(/\r?\n/g, ' ');
}

function table(head: string[], rows: string[][], numeric: boolean[] = []): string {
  const align = head.map((_, i) => (numeric[i] ? '---:' : '---'));
  return [head, align, ...rows].map((r) => `| ${r.map(cell).join(' | ')} |`).join('\n');
}

function evidenceLines(r: Results, it: Iteration, limit = 4): string[] {
  const lines: string[] = [];
  for (const c of it.connections.filter((x) => x.verdict !== 'ok')) {
    const conn = r.connections.find((x) => x.id === c.connection);
    lines.push(
      `  - \`${c.connection}\`${conn ? ` (${conn.local} → ${conn.remote})` : ''}: **${c.verdict}**`,
    );
    for (const e of c.evidence.slice(0, limit)) {
      const frame =
        e.frame === undefined ? '' : ` frame ${e.frame}${e.pcap ? ` of \`${e.pcap}\`` : ''}`;
      lines.push(`    - ${clock(e.time)} ${e.kind}${frame}: ${e.detail}`);
    }
    if (c.evidence.length > limit) lines.push(`    - … ${c.evidence.length - limit} more`);
  }
  return lines;
}

export function trendMarkdown(trend: Trend): string {
  const rows = trend.rows.map((row, i) => [
    `${row.startedAt.slice(0, 16).replace('T', ' ')}${i === trend.rows.length - 1 ? ' (this run)' : ''}`,
    shortSha(row.gitSha),
    row.verdict,
    String(row.fail),
    String(row.error),
    ms(row.stallMs.median),
    ms(row.stallMs.p95),
    ms(row.stallMs.p99),
    ms(row.stallMs.max),
    ms(row.switchoverP95),
    ms(row.resyncP95),
  ]);
  const d = trend.delta;
  if (d) {
    rows.push([
      '**change**',
      '',
      '',
      deltaCount(d.fail),
      deltaCount(d.error),
      ...[d.stallMedian, d.stallP95, d.stallP99, d.stallMax, d.switchoverP95, d.resyncP95].map(
        deltaMs,
      ),
    ]);
  }
  const head = [
    'run',
    'stack',
    'verdict',
    'failed',
    'errors',
    'stall median',
    'stall p95',
    'stall p99',
    'stall max',
    'switchover p95',
    'resync p95',
  ];
  const notes = trend.notes.map((n) => `> ${n}`).join('\n');
  return [
    '### Trend',
    ...(notes ? [notes] : []),
    table(
      head,
      rows,
      head.map((_, i) => i >= 3),
    ),
  ].join('\n\n');
}

export function renderMarkdown(r: Results, opts: { trend?: Trend } = {}): string {
  const { run } = r;
  const t = r.statistics.totals;
  const out: string[] = [];
  out.push(
    `## ${ICON[r.verdict]} ${VERDICT_HEADLINE[r.verdict]}: ${run.testplan.name} on ${run.lab.name}`,
    `Stack ${run.stack.version} \`${shortSha(run.stack.gitSha)}\` · seed ${run.seed} · ${run.startedAt.slice(0, 16).replace('T', ' ')} UTC · ${duration(run.startedAt, run.endedAt)} · boards ${run.boards.map((b) => `${b.name}${b.serial ? ` (${b.serial})` : ''}`).join(', ')}`,
    `**${t.iterations} faults:** ${t.pass} passed, ${t.fail} failed, ${t.expectedDegraded} expected-degraded, ${t.error} infrastructure error${t.error === 1 ? '' : 's'}, ${t.skipped} skipped · ${t.connections} connections · stall p95 ${ms(r.statistics.overall.stallMs.p95)}, max ${ms(r.statistics.overall.stallMs.max)}`,
  );
  if (run.error) out.push(`**Run aborted:** \`${run.error.code}\` ${run.error.message}`);
  const notable = r.iterations.filter((it) => it.status !== 'pass');
  if (notable.length) {
    const lines = notable.flatMap((it) => {
      const head = `- **#${it.index} ${it.kind}: ${it.status}**: ${it.summary}`;
      const err = it.error ? [`  - \`${it.error.code}\`: ${it.error.message}`] : [];
      const dropped = it.connections.filter((c) => c.verdict !== 'ok').length;
      if (it.status === 'expected-degraded') {
        return [
          head,
          `  - ${dropped} of ${it.connections.length} connections dropped, as this fault must`,
        ];
      }
      return [head, ...err, ...(it.status === 'skipped' ? [] : evidenceLines(r, it))];
    });
    out.push('### Not a plain pass', lines.join('\n'));
  }
  const kindRows = r.statistics.perKind.map((k) => {
    const its = r.iterations.filter((it) => it.kind === k.kind);
    const count = (s: Iteration['status']) => its.filter((it) => it.status === s).length;
    return [
      k.kind,
      `${count('pass') + count('expected-degraded')}/${its.length}`,
      ms(k.stallMs.median),
      ms(k.stallMs.p95),
      ms(k.stallMs.max),
      ms(k.switchoverMs.p95),
      ms(k.resyncMs.p95),
    ];
  });
  const head = [
    'fault kind',
    'as expected',
    'stall median',
    'stall p95',
    'stall max',
    'switchover p95',
    'resync p95',
  ];
  out.push(
    '### Per fault kind',
    table(
      head,
      kindRows,
      head.map((_, i) => i > 0),
    ),
  );
  const worst = [...r.iterations]
    .filter((it) => it.expected === 'hitless' && it.stallMs !== null)
    .sort((a, b) => (b.stallMs ?? 0) - (a.stallMs ?? 0))[0];
  if (worst) {
    const d = durationsOf(worst);
    out.push(
      `Longest stall: #${worst.index} ${worst.kind}, ${ms(worst.stallMs)} (switchover ${d.switchoverMs === null ? DASH : ms(d.switchoverMs)}).`,
    );
  }
  if (opts.trend) out.push(trendMarkdown(opts.trend));
  out.push(`<sub>hitless report · ${r.schema} · run ${run.id}</sub>`);
  return `${out.join('\n\n')}\n`;
}
