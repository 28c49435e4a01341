/**
 * Verdicts from the flow model: per connection and per fault window, pass,
 * fail or inconclusive, each with the reasons a person needs to check it.
 */
import type { Connection } from './connection.ts';
import type { DirectionCounts } from './direction.ts';
import type { Evidence, EvidenceKind, FaultWindow, Stall } from './evidence.ts';

export type Verdict = 'pass' | 'fail' | 'inconclusive';

export interface ConnectionReport {
  /** Order of first appearance in the capture (Wireshark's tcp.stream when nothing is filtered). */
  id: number;
  client: string;
  server: string;
  firstFrame: number;
  lastFrame: number;
  firstMs: number;
  lastMs: number;
  handshakeSeen: boolean;
  closed?: 'rst' | 'fin';
  /** Length of each byte stream (retransmissions counted once; SYN and FIN excluded). */
  streamBytes: { clientToServer: number; serverToClient: number };
  clientToServer: DirectionCounts;
  serverToClient: DirectionCounts;
  longestStall?: Stall;
  /** Longest stall overlapping each fault window (same order as the timeline). */
  windowStalls: Array<Stall | null>;
  evidenceCounts: Partial<Record<EvidenceKind, number>>;
  /** Evidence items (at most 20 per kind; evidenceCounts has the totals). */
  evidence: Evidence[];
  verdict: Verdict;
  reasons: string[];
}

export interface WindowReport extends FaultWindow {
  longestStall?: Stall & { connection: number };
  connections: number;
  verdict: Verdict;
  reasons: string[];
}

export interface JudgeOptions {
  maxStallMs?: number;
  windows: FaultWindow[];
}

export function worst(verdicts: Verdict[]): Verdict {
  if (verdicts.includes('fail')) return 'fail';
  if (verdicts.includes('inconclusive')) return 'inconclusive';
  return 'pass';
}

const iso = (ms: number) => new Date(ms).toISOString();

export function describeEvidence(e: Evidence): string {
  const related = e.relatedFrames?.length ? ` (see frame ${e.relatedFrames.join(', ')})` : '';
  return `${e.kind} from ${e.from} at frame ${e.frame}, ${iso(e.timeMs)}: ${e.detail}${related}`;
}

export function describeStall(s: Stall): string {
  const tail = s.openAtEnd ? ', still open at the end of the capture' : '';
  return `${s.durationMs.toFixed(1)} ms between frames ${s.fromFrame} and ${s.toFrame} (${iso(s.fromMs)} to ${iso(s.toMs)}${tail})`;
}

export function judgeConnection(
  conn: Connection,
  opts: JudgeOptions,
  captureProblems: string[],
): ConnectionReport {
  const fail: string[] = [];
  const unsure: string[] = [];
  for (const e of conn.evidence) {
    if (e.severity === 'drop') fail.push(describeEvidence(e));
    else if (e.severity === 'incomplete') unsure.push(describeEvidence(e));
  }
  for (const [kind, n] of Object.entries(conn.evidenceCounts)) {
    const shown = conn.evidence.filter((e) => e.kind === kind);
    if (n <= shown.length) continue;
    // the items not kept weigh as the kept ones of their kind (gaps in the capture stay gaps)
    const note = `${n - shown.length} more ${kind} items not listed`;
    if (shown.some((e) => e.severity === 'drop')) fail.push(note);
    else if (shown.some((e) => e.severity === 'incomplete')) unsure.push(note);
  }
  const stall = conn.stalls.longest;
  if (stall && opts.maxStallMs !== undefined && stall.durationMs > opts.maxStallMs) {
    fail.push(`stall longer than ${opts.maxStallMs} ms: ${describeStall(stall)}`);
  }
  unsure.push(...captureProblems);
  const verdict: Verdict = fail.length > 0 ? 'fail' : unsure.length > 0 ? 'inconclusive' : 'pass';
  const [c, s] = conn.dirs;
  const reasons =
    verdict === 'fail'
      ? fail
      : verdict === 'inconclusive'
        ? unsure
        : [
            `no drop: ${c.streamBytes()} bytes ${conn.client} → ${conn.server}, ${s.streamBytes()} bytes back` +
              (stall ? `, longest stall ${stall.durationMs.toFixed(1)} ms` : ''),
          ];
  return {
    id: conn.id,
    client: conn.client,
    server: conn.server,
    firstFrame: conn.firstFrame,
    lastFrame: conn.lastFrame,
    firstMs: conn.firstMs,
    lastMs: conn.lastMs,
    handshakeSeen: c.synSeen && s.synSeen,
    ...(conn.closed ? { closed: conn.closed } : {}),
    streamBytes: { clientToServer: c.streamBytes(), serverToClient: s.streamBytes() },
    clientToServer: c.counts,
    serverToClient: s.counts,
    ...(stall ? { longestStall: stall } : {}),
    windowStalls: conn.stalls.perWindow.map((w) => w ?? null),
    evidenceCounts: conn.evidenceCounts,
    evidence: conn.evidence,
    verdict,
    reasons,
  };
}

/**
 * A window [start, end + max stall] fails on any drop evidence inside it or a
 * stall beyond the limit overlapping it; it is inconclusive when no connection
 * was alive across it or the capture stops before it ends.
 */
export function judgeWindow(
  w: FaultWindow,
  index: number,
  conns: ConnectionReport[],
  opts: JudgeOptions,
  capture: { lastMs: number; problems: string[] },
): WindowReport {
  const until = w.endMs + (opts.maxStallMs ?? 0);
  const alive = conns.filter((c) => c.firstMs <= until && (c.lastMs >= w.startMs || !c.closed));
  const fail: string[] = [];
  const unsure: string[] = [...capture.problems];
  let longest: (Stall & { connection: number }) | undefined;
  for (const c of alive) {
    for (const e of c.evidence) {
      if (e.severity === 'drop' && e.timeMs >= w.startMs && e.timeMs <= until) {
        fail.push(`connection #${c.id}: ${describeEvidence(e)}`);
      }
    }
    const s = c.windowStalls[index];
    if (s && (!longest || s.durationMs > longest.durationMs)) longest = { ...s, connection: c.id };
  }
  if (longest && opts.maxStallMs !== undefined && longest.durationMs > opts.maxStallMs) {
    fail.push(
      `connection #${longest.connection}: stall longer than ${opts.maxStallMs} ms: ${describeStall(longest)}`,
    );
  }
  if (alive.length === 0) unsure.push('no connection carried traffic across this window');
  if (capture.lastMs < w.endMs)
    unsure.push(`the capture ends at ${iso(capture.lastMs)}, before the window ends`);
  const verdict: Verdict = fail.length > 0 ? 'fail' : unsure.length > 0 ? 'inconclusive' : 'pass';
  const reasons =
    verdict === 'fail'
      ? fail
      : verdict === 'inconclusive'
        ? unsure
        : [
            `no drop on ${alive.length} connection(s)` +
              (longest ? `, longest stall ${longest.durationMs.toFixed(1)} ms` : ''),
          ];
  return {
    ...w,
    ...(longest ? { longestStall: longest } : {}),
    connections: alive.length,
    verdict,
    reasons,
  };
}
