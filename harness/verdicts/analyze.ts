/**
 * Analyses capture files: each file is read once, streamed, and judged on
 * its own (two capture points seeing one connection are two observations).
 */
import { decodeTcpPacket } from '../pcap/decode.ts';
import { CaptureError } from '../pcap/errors.ts';
import type { CaptureInfo } from '../pcap/frame.ts';
import { readCapture } from '../pcap/reader.ts';
import { readStatsSidecar } from './capture-drops.ts';
import type { DirectionCounts } from './direction.ts';
import { emptyCounts } from './direction.ts';
import type { FaultWindow } from './evidence.ts';
import { FlowTable } from './flows.ts';
import {
  type ConnectionReport,
  judgeConnection,
  judgeWindow,
  type Verdict,
  type WindowReport,
  worst,
} from './verdict.ts';

export interface AnalyzeOptions {
  /** Chassis address, dotted quad as unsigned 32-bit. */
  address?: number;
  windows: FaultWindow[];
  maxStallMs?: number;
  /** FINs before this time are drops. Default: the end of the last fault window plus the stall limit. */
  testEndMs?: number;
  /** Kernel drops reported for the capture(s), overriding sidecar files. */
  drops?: number;
  /** A never-filled gap is a hole once the capture ran this long past it (default 1000 ms). */
  holeGraceMs?: number;
}

export interface CaptureReport {
  file: string;
  info?: CaptureInfo;
  /** Set when the file could not be read at all. */
  error?: { code: string; message: string };
  frames: number;
  tcpSegments: number;
  otherSegments: number;
  undecodable: number;
  firstUndecodable?: { frame: number; reason: string };
  droppedByCapture?: number;
  totals: DirectionCounts;
  connections: ConnectionReport[];
  windows: WindowReport[];
  verdict: Verdict;
  reasons: string[];
}

export interface AnalysisReport {
  verdict: Verdict;
  captures: CaptureReport[];
}

function sumCounts(conns: ConnectionReport[]): DirectionCounts {
  const total = emptyCounts();
  for (const c of conns) {
    for (const d of [c.clientToServer, c.serverToClient]) {
      for (const k of Object.keys(total) as Array<keyof DirectionCounts>) total[k] += d[k];
    }
  }
  return total;
}

export function defaultTestEnd(opts: AnalyzeOptions): number | undefined {
  if (opts.testEndMs !== undefined) return opts.testEndMs;
  if (opts.windows.length === 0) return undefined;
  return Math.max(...opts.windows.map((w) => w.endMs)) + (opts.maxStallMs ?? 0);
}

export async function analyzeCapture(file: string, opts: AnalyzeOptions): Promise<CaptureReport> {
  const testEndMs = defaultTestEnd(opts);
  const table = new FlowTable({
    windows: opts.windows,
    holeGraceMs: opts.holeGraceMs ?? 1000,
    ...(opts.address !== undefined ? { address: opts.address } : {}),
    ...(testEndMs !== undefined ? { testEndMs } : {}),
  });
  let frames = 0;
  let tcpSegments = 0;
  let undecodable = 0;
  let firstUndecodable: CaptureReport['firstUndecodable'];
  let lastMs = 0;
  let info: CaptureInfo;
  try {
    info = await readCapture(file, (frame) => {
      frames++;
      if (frame.timeMs > lastMs) lastMs = frame.timeMs;
      const p = decodeTcpPacket(frame);
      if ('seg' in p) {
        tcpSegments++;
        table.handle(p);
      } else if ('undecodable' in p) {
        undecodable++;
        firstUndecodable ??= { frame: frame.number, reason: p.undecodable };
      }
    });
  } catch (err) {
    if (!(err instanceof CaptureError)) throw err;
    return {
      file,
      error: { code: err.code, message: err.message },
      frames: 0,
      tcpSegments: 0,
      otherSegments: 0,
      undecodable: 0,
      totals: emptyCounts(),
      connections: [],
      windows: [],
      verdict: 'inconclusive',
      reasons: [`${err.code}: ${err.message}`],
    };
  }
  table.finish(lastMs, frames);

  const droppedByCapture = opts.drops ?? (await readStatsSidecar(file)) ?? info.droppedByCapture;
  const problems: string[] = [];
  if (info.problem) problems.push(`capture incomplete: ${info.problem.message}`);
  if (droppedByCapture)
    problems.push(`capture incomplete: the capturing host dropped ${droppedByCapture} packets`);
  if (undecodable > 0 && firstUndecodable) {
    problems.push(
      `${undecodable} frames could not be decoded (first: frame ${firstUndecodable.frame}: ${firstUndecodable.reason})`,
    );
  }
  const judge = {
    windows: opts.windows,
    ...(opts.maxStallMs !== undefined ? { maxStallMs: opts.maxStallMs } : {}),
  };
  const connections = table.all.map((c) => judgeConnection(c, judge, problems));
  const windows = opts.windows.map((w, i) =>
    judgeWindow(w, i, connections, judge, { lastMs, problems }),
  );
  const reasons: string[] = [];
  if (connections.length === 0) {
    reasons.push(
      frames === 0
        ? 'no traffic seen: the capture holds no frames'
        : `no traffic seen: no TCP connection${opts.address !== undefined ? ' with the chassis address' : ''} in ${frames} frames`,
    );
  }
  const verdict =
    connections.length === 0
      ? 'inconclusive'
      : worst([...connections, ...windows].map((x) => x.verdict));
  const failed = connections.filter((c) => c.verdict === 'fail').length;
  const unsure = connections.filter((c) => c.verdict === 'inconclusive').length;
  if (failed + unsure > 0) {
    reasons.push(`of ${connections.length} connections: ${failed} failed, ${unsure} inconclusive`);
  }
  for (const w of windows)
    if (w.verdict !== 'pass') reasons.push(`fault window ${w.kind}: ${w.verdict}`);
  reasons.push(...problems);
  return {
    file,
    info,
    frames,
    tcpSegments,
    otherSegments: table.otherSegments,
    undecodable,
    ...(firstUndecodable ? { firstUndecodable } : {}),
    ...(droppedByCapture !== undefined ? { droppedByCapture } : {}),
    totals: sumCounts(connections),
    connections,
    windows,
    verdict,
    reasons,
  };
}

export async function analyzeCaptures(
  files: string[],
  opts: AnalyzeOptions,
): Promise<AnalysisReport> {
  const captures: CaptureReport[] = [];
  for (const file of files) captures.push(await analyzeCapture(file, opts));
  return { verdict: worst(captures.map((c) => c.verdict)), captures };
}
