/** The readable report of `hitless analyze`: one table per capture, then the reasons. */
import type { AnalysisReport, CaptureReport } from './analyze.ts';

function table(rows: string[][]): string[] {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length)));
  return rows.map((r) =>
    r
      .map((cell, i) => cell.padEnd(widths[i]!))
      .join('  ')
      .trimEnd(),
  );
}

const ms = (n: number | undefined) => (n === undefined ? '-' : `${n.toFixed(1)} ms`);

function formatCapture(c: CaptureReport): string[] {
  const out: string[] = [];
  if (c.error) {
    out.push(`${c.file}: ${c.verdict.toUpperCase()}: ${c.error.message}`);
    return out;
  }
  const info = c.info!;
  out.push(
    `${c.file}: ${c.verdict.toUpperCase()}  (${info.format}, ${info.precision} timestamps, ${c.frames} frames, ` +
      `${c.tcpSegments} TCP segments, ${c.connections.length} connections)`,
  );
  if (c.connections.length > 0) {
    const rows = [
      [
        '#',
        'client',
        'server',
        'verdict',
        'bytes c>s',
        'bytes s>c',
        'retrans fast/rto',
        'rst',
        'fin',
        'syn',
        'zero-win',
        'longest stall',
      ],
    ];
    for (const k of c.connections) {
      const a = k.clientToServer;
      const b = k.serverToClient;
      rows.push([
        String(k.id),
        k.client,
        k.server,
        k.verdict,
        String(k.streamBytes.clientToServer),
        String(k.streamBytes.serverToClient),
        `${a.retransmissions + b.retransmissions} ${a.fastRetransmissions + b.fastRetransmissions}/${a.timeoutRetransmissions + b.timeoutRetransmissions}`,
        String(a.rst + b.rst),
        String(a.fin + b.fin),
        String(a.syn + b.syn),
        String(a.zeroWindows + b.zeroWindows),
        ms(k.longestStall?.durationMs),
      ]);
    }
    out.push(...table(rows).map((l) => `  ${l}`));
  }
  for (const k of c.connections) {
    if (k.verdict === 'pass') continue;
    out.push(`  #${k.id} ${k.verdict}:`);
    for (const r of k.reasons) out.push(`    - ${r}`);
  }
  if (c.windows.length > 0) {
    out.push('  fault windows:');
    const rows = [['kind', 'start', 'end', 'verdict', 'connections', 'longest stall']];
    for (const w of c.windows) {
      rows.push([
        w.kind,
        new Date(w.startMs).toISOString(),
        new Date(w.endMs).toISOString(),
        w.verdict,
        String(w.connections),
        ms(w.longestStall?.durationMs),
      ]);
    }
    out.push(...table(rows).map((l) => `    ${l}`));
    for (const w of c.windows) {
      if (w.verdict === 'pass') continue;
      out.push(`    ${w.kind} ${w.verdict}:`);
      for (const r of w.reasons) out.push(`      - ${r}`);
    }
  }
  if (c.verdict !== 'pass') for (const r of c.reasons) out.push(`  - ${r}`);
  return out;
}

export function formatReport(report: AnalysisReport): string {
  const lines = report.captures.flatMap(formatCapture);
  lines.push(`verdict: ${report.verdict.toUpperCase()}`);
  return `${lines.join('\n')}\n`;
}
