/**
 * Verdicts per fault iteration and connection, from two independent views:
 * the captures (harness/verdicts) and the peer agents' own reports. Either
 * view's drop fails the connection; when both saw a connection and only one
 * of them saw it break, the result is inconclusive and says so.
 */

import type { z } from 'zod';
import type { Connection, ConnectionResult, Evidence } from '../../reports/results-schema.ts';
import type { AgentEvent } from '../agent/events.ts';
import type { CaptureReport } from '../verdicts/analyze.ts';
import type { Evidence as CaptureEvidence } from '../verdicts/evidence.ts';

type ResultConnection = z.infer<typeof Connection>;

/** How far apart the two views may see the same break (clock skew, event order). */
export const AGREEMENT_SLACK_MS = 2000;

export interface Span {
  index: number;
  start: number;
  end: number;
}

export interface AgentView {
  peer: string;
  /** Peer address on the front LAN (no prefix). */
  address: string;
  events: AgentEvent[];
}

export interface AgentConnection extends ResultConnection {
  conn: number;
  locals: string[];
}

/** Every connection the agents opened (one per agent connection number). */
export function agentConnections(views: AgentView[], chassis: string): AgentConnection[] {
  const out: AgentConnection[] = [];
  for (const v of views) {
    const start = v.events.find((e) => e.event === 'start');
    const count = start && start.event === 'start' ? start.connections : 0;
    for (let conn = 0; conn < count; conn++) {
      const connects = v.events.filter(
        (e): e is Extract<AgentEvent, { event: 'connect' }> =>
          e.event === 'connect' && e.conn === conn,
      );
      const app = connects[0]?.app ?? 'other';
      out.push({
        id: `${v.peer}/c${conn}`,
        peer: v.peer,
        conn,
        app,
        local: connects.at(-1)?.local ?? `${v.address}:?`,
        remote: connects.at(-1)?.remote ?? chassis,
        locals: connects.map((c) => c.local),
      });
    }
  }
  return out;
}

export interface CaptureFile {
  report: CaptureReport;
  /** Artifact path (relative to the run directory). */
  artifact: string;
  /** Lab host the capture was taken on, when known. */
  host?: string;
}

/**
 * The captures that judge a connection: those taken on its own peer when there are any.
 * Another peer's capture holds only what the LAN switch happened to flood to it (one
 * direction, for a while after a takeover moves the chassis MAC), which proves nothing.
 */
export function capturesFor(captures: CaptureFile[], peer: string): CaptureFile[] {
  const own = captures.filter((c) => c.host === peer);
  return own.length > 0 ? own : captures;
}

const DROP_KINDS = new Set(['rst', 'fin', 'reconnect']);
const CORRUPT_KINDS = new Set(['hole', 'divergence', 'ack-unsent', 'out-of-window']);
/**
 * What a capture that lost packets itself (tcpdump's kernel drops) also shows
 * with a healthy chassis: a frame it missed looks like a hole, or like an
 * ACK for bytes never sent. From such a capture these prove nothing.
 */
const CAPTURE_LOSS_KINDS = new Set(['hole', 'ack-unsent', 'out-of-window']);

function mapCaptureEvidence(
  e: CaptureEvidence,
  rel: (t: number) => number,
  pcap: string,
): Evidence | undefined {
  const kind: Evidence['kind'] | undefined =
    e.kind === 'rst'
      ? 'rst'
      : e.kind === 'fin'
        ? 'fin'
        : e.kind === 'reconnect'
          ? 'reconnect'
          : e.kind === 'hole'
            ? 'hole'
            : e.kind === 'divergence'
              ? 'retransmit-mismatch'
              : e.severity === 'info'
                ? undefined
                : 'note';
  if (!kind) return undefined;
  return {
    kind,
    time: rel(e.timeMs),
    frame: e.frame,
    pcap,
    detail: `${e.kind} from ${e.from}: ${e.detail}`,
  };
}

export interface JudgeInput {
  spans: Span[];
  connections: AgentConnection[];
  agents: AgentView[];
  captures: CaptureFile[];
  maxStallMs: number;
  runStart: number;
}

type Problem = 'drop' | 'corrupt';

interface Observation {
  problems: Array<{ what: Problem; at: number; evidence: Evidence }>;
  stallMs: number | null;
  /** The capture saw this connection in this span at all. */
  seen: boolean;
  incomplete: string[];
}

export function judgeIterations(input: JudgeInput): Map<number, ConnectionResult[]> {
  const rel = (t: number) => Math.max(0, Math.round(t - input.runStart));
  const byLocal = new Map<string, AgentConnection>();
  for (const c of input.connections) for (const l of c.locals) byLocal.set(l, c);
  const out = new Map<number, ConnectionResult[]>();

  input.spans.forEach((span, spanIdx) => {
    const results: ConnectionResult[] = [];
    const limitMs = input.maxStallMs;
    const limitText = `limit ${limitMs} ms`;
    for (const conn of input.connections) {
      const agent = input.agents.find((a) => a.peer === conn.peer);
      const errors = (agent?.events ?? []).filter(
        (e): e is Extract<AgentEvent, { event: 'error' }> =>
          e.event === 'error' && e.conn === conn.conn,
      );
      const cap: Observation = { problems: [], stallMs: 0, seen: false, incomplete: [] };
      const nearCapture: number[] = [];
      const judging = capturesFor(input.captures, conn.peer);
      for (const file of judging) {
        for (const cr of file.report.connections) {
          if (byLocal.get(cr.client) !== conn) continue;
          const overlaps = cr.firstMs < span.end && cr.lastMs >= span.start;
          for (const e of cr.evidence) {
            const lossy = (file.report.droppedByCapture ?? 0) > 0 && CAPTURE_LOSS_KINDS.has(e.kind);
            const problem: Problem | undefined = DROP_KINDS.has(e.kind)
              ? 'drop'
              : CORRUPT_KINDS.has(e.kind) && !lossy
                ? 'corrupt'
                : undefined;
            if (lossy && e.timeMs >= span.start && e.timeMs < span.end) {
              cap.incomplete.push(
                `${e.kind} at frame ${e.frame} of ${file.artifact}, which lost ${file.report.droppedByCapture} packets: not proof`,
              );
            }
            if (!problem) continue;
            const at = e.kind === 'reconnect' ? brokenAt(errors, e.timeMs) : e.timeMs;
            if (at >= span.start - AGREEMENT_SLACK_MS && at < span.end + AGREEMENT_SLACK_MS)
              nearCapture.push(at);
            if (at < span.start || at >= span.end) continue;
            const ev = mapCaptureEvidence(e, rel, file.artifact);
            if (ev) cap.problems.push({ what: problem, at, evidence: ev });
          }
          if (!overlaps) continue;
          cap.seen = true;
          const ws = cr.windowStalls[spanIdx];
          // A stall that began before this span is the earlier fault's (it overlaps that span too).
          const inherited =
            ws !== null && ws !== undefined && spanIdx > 0 && ws.fromMs < span.start;
          if (ws && !inherited)
            cap.stallMs = ws.openAtEnd ? null : Math.max(cap.stallMs ?? 0, ws.durationMs);
          if (cr.verdict === 'inconclusive') cap.incomplete.push(...cr.reasons);
        }
      }
      const inSpan = errors.filter((e) => e.ts >= span.start && e.ts < span.end);
      const agentNear = errors.filter(
        (e) => e.ts >= span.start - AGREEMENT_SLACK_MS && e.ts < span.end + AGREEMENT_SLACK_MS,
      );
      // Each stall counts for the span it began in (a first span also takes what came before it).
      const stalls = (agent?.events ?? []).filter(
        (e): e is Extract<AgentEvent, { event: 'stall' }> =>
          e.event === 'stall' &&
          e.conn === conn.conn &&
          (spanIdx === 0 || e.since >= span.start) &&
          e.since < span.end,
      );
      if (
        !aliveIn(agent?.events ?? [], conn.conn, span) &&
        inSpan.length === 0 &&
        cap.problems.length === 0
      ) {
        continue; // broken in an earlier iteration and not reopened: nothing to judge here
      }
      const evidence: Evidence[] = cap.problems.map((p) => p.evidence);
      for (const e of inSpan) {
        evidence.push({
          kind: 'agent-error',
          time: rel(e.ts),
          detail: `${conn.peer} connection ${conn.conn}: ${e.error}: ${e.detail}`,
        });
      }
      const agentStall = Math.max(0, ...stalls.map((s) => s.ms));
      const stallMs = cap.stallMs === null ? null : Math.round(Math.max(cap.stallMs, agentStall));
      if (stallMs === null || stallMs > limitMs) {
        evidence.push({
          kind: 'stall',
          time: rel(stalls[0]?.since ?? span.start),
          detail:
            stallMs === null
              ? 'no progress again before the end of the capture'
              : `no progress for ${stallMs} ms (${limitText})`,
        });
      }
      const agentDrop = inSpan.some((e) => e.error !== 'mismatch');
      const agentCorrupt = inSpan.some((e) => e.error === 'mismatch');
      const capDrop = cap.problems.some((p) => p.what === 'drop');
      const capCorrupt = cap.problems.some((p) => p.what === 'corrupt');
      // Disagreement: both views watched this connection, one saw it break, the other saw nothing near it.
      const capOnly = capDrop && agentNear.length === 0 && agent !== undefined;
      const agentOnly =
        inSpan.some((e) => e.error !== 'mismatch' && e.error !== 'connect-failed') &&
        cap.seen &&
        nearCapture.length === 0 &&
        cap.incomplete.length === 0;
      if (capOnly || agentOnly) {
        evidence.push({
          kind: 'disagreement',
          time: rel(cap.problems[0]?.at ?? inSpan[0]?.ts ?? span.start),
          detail: capOnly
            ? 'the capture shows the connection break, the agent reported no error'
            : 'the agent reported an error, the capture shows no break on this connection',
        });
      }
      for (const reason of cap.incomplete.slice(0, 3)) {
        evidence.push({ kind: 'note', time: rel(span.start), detail: `capture: ${reason}` });
      }
      const verdict: ConnectionResult['verdict'] =
        capOnly || agentOnly
          ? 'inconclusive'
          : capCorrupt || agentCorrupt // wrong bytes outrank the break they often end in
            ? 'corrupt'
            : capDrop || agentDrop
              ? 'drop'
              : stallMs === null || stallMs > limitMs
                ? 'stall'
                : cap.incomplete.length > 0 || (!cap.seen && judging.length > 0)
                  ? 'inconclusive'
                  : 'ok';
      if (!cap.seen && judging.length > 0 && verdict === 'inconclusive' && !capOnly && !agentOnly) {
        evidence.push({
          kind: 'note',
          time: rel(span.start),
          detail: 'no capture saw this connection in this iteration',
        });
      }
      results.push({
        connection: conn.id,
        verdict,
        stallMs,
        bytes: bytesIn(agent?.events ?? [], conn.conn, span),
        evidence: evidence.slice(0, 200),
      });
    }
    out.set(span.index, results);
  });
  return out;
}

/**
 * When the connection a reconnect replaces broke: the agent's last error on
 * it before the new SYN (the agent waits --reconnect-ms, so the SYN may fall
 * in the next iteration), else the SYN's own time.
 */
function brokenAt(errors: Array<{ ts: number }>, synMs: number): number {
  const before = errors.filter((e) => e.ts <= synMs);
  return before.at(-1)?.ts ?? synMs;
}

/** Bytes the agent sent and verified on one connection within a span. */
export function bytesIn(
  events: AgentEvent[],
  conn: number,
  span: Span,
): { toChassis: number; fromChassis: number } {
  let atStart: [number, number] = [0, 0];
  let atEnd: [number, number] = [0, 0];
  for (const e of events) {
    if (e.event !== 'progress') continue;
    const row = e.conns.find((c) => c[0] === conn);
    if (!row) continue;
    if (e.ts < span.start) atStart = [row[1], row[2]];
    if (e.ts < span.end) atEnd = [row[1], row[2]];
  }
  return {
    toChassis: Math.max(0, atEnd[0] - atStart[0]),
    fromChassis: Math.max(0, atEnd[1] - atStart[1]),
  };
}

/** The connection was open at the start of the span (or opened within it). */
export function aliveIn(events: AgentEvent[], conn: number, span: Span): boolean {
  let open = false;
  for (const e of events) {
    if (e.ts >= span.end) break;
    if (e.event === 'connect' && e.conn === conn) open = true;
    if (e.event === 'error' && e.conn === conn && e.ts < span.start) open = false;
  }
  return open;
}
