/**
 * What only the end of a capture shows about a connection: a stall still
 * open, a zero window never reopened, a gap never filled, a side never heard.
 */
import type { Connection } from './connection.ts';

export function finishConnection(
  conn: Connection,
  endMs: number,
  endFrame: number,
  holeGraceMs: number,
): void {
  const outstanding = conn.dirs.some((d) => d.started && d.nxt > (d.ackSeen ? d.acked : 1));
  if (!conn.closed && outstanding) conn.stalls.openAtEnd({ frame: endFrame, timeMs: endMs });
  checkOneWay(conn, endMs, holeGraceMs);
  for (const d of conn.dirs) {
    if (d.zeroWindowSince) conn.endZeroWindow(d, endFrame, endMs);
    const gap = d.coverage.firstGap();
    if (!gap) continue;
    const settled = endMs - gap.island.timeMs >= holeGraceMs;
    conn.add({
      kind: 'hole',
      severity: settled ? 'drop' : 'incomplete',
      from: d.label,
      frame: gap.island.frame,
      timeMs: gap.island.timeMs,
      relatedFrames: [d.coverage.contiguousFrame],
      detail:
        `${gap.end - gap.start} bytes at seq ${d.seq(gap.start)}..${d.seq(gap.end)} never captured, never acknowledged` +
        (settled ? '' : ' (capture ended before a retransmission was due)'),
    });
  }
}

/** Only one side was captured: a SYN nobody answered, or traffic whose other half is missing. */
function checkOneWay(conn: Connection, endMs: number, holeGraceMs: number): void {
  const [c, s] = conn.dirs;
  if (c.started && s.started) return;
  const only = c.started ? c : s;
  const other = only === c ? conn.server : conn.client;
  if (only.synSeen && only.nxt <= 1) {
    const settled = endMs - conn.firstMs >= holeGraceMs || only.counts.syn > 1;
    conn.add({
      kind: 'syn-unanswered',
      severity: settled ? 'drop' : 'incomplete',
      from: only.label,
      frame: conn.firstFrame,
      timeMs: conn.firstMs,
      relatedFrames: [conn.lastFrame],
      detail: `${only.counts.syn} SYN(s) and no answer from ${other}`,
    });
    return;
  }
  conn.add({
    kind: 'one-way',
    severity: 'incomplete',
    from: only.label,
    frame: conn.firstFrame,
    timeMs: conn.firstMs,
    detail: `nothing captured from ${other}: delivery cannot be judged`,
  });
}
