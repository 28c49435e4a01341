/**
 * After the run: every capture analysed against the fault windows
 * (harness/verdicts), the agents' reports read, and both views joined into
 * per-iteration connection verdicts. Also the moment peers moved data again
 * after each fault, from the agents' progress reports.
 */
import { relative } from 'node:path';
import type { ConnectionResult } from '../../reports/results-schema.ts';
import { parseIpv4 } from '../../stack/wire/address.ts';
import { analyzeCapture } from '../verdicts/analyze.ts';
import type { FetchedCapture } from './captures.ts';
import {
  type AgentConnection,
  type AgentView,
  agentConnections,
  type CaptureFile,
  judgeIterations,
} from './judge.ts';
import type { IterationRecord } from './results.ts';

export interface AnalyzeRunInput {
  dir: string;
  pcaps: FetchedCapture[];
  agents: AgentView[];
  records: IterationRecord[];
  chassisIp: string;
  maxStallMs: number;
  trafficStart: number;
  trafficEnd: number;
  runStart: number;
}

export interface RunAnalysis {
  verdicts: Map<number, ConnectionResult[]>;
  connections: AgentConnection[];
  agents: AgentView[];
  captures: CaptureFile[];
}

/** First agent progress report after `from` in which the total verified bytes grew. */
export function firstProgressAfter(agents: AgentView[], from: number): number | undefined {
  let best: number | undefined;
  for (const a of agents) {
    let before: number | undefined;
    for (const e of a.events) {
      if (e.event !== 'progress') continue;
      const total = e.conns.reduce((s, c) => s + c[2], 0);
      if (e.ts <= from) {
        before = total;
        continue;
      }
      if (before !== undefined && total > before) {
        if (best === undefined || e.ts < best) best = e.ts;
        break;
      }
      before = total;
    }
  }
  return best;
}

export async function analyzeRun(input: AnalyzeRunInput): Promise<RunAnalysis> {
  const spans = input.records.map((r, i) => ({
    index: r.index,
    start: i === 0 ? Math.min(r.spanStart, input.trafficStart) : r.spanStart,
    end: i === input.records.length - 1 ? Math.max(r.spanEnd, input.trafficEnd) : r.spanEnd,
  }));
  // One fault window per iteration, from the inject to the end of its span (recovery and resync included).
  const windows = input.records.map((r, i) => ({
    kind: `${r.index} ${r.kind}`,
    startMs: r.inject ?? spans[i]!.start,
    endMs: spans[i]!.end,
  }));
  const captures: CaptureFile[] = [];
  for (const { path: file, host } of input.pcaps) {
    const report = await analyzeCapture(file, {
      address: parseIpv4(input.chassisIp),
      windows,
      maxStallMs: input.maxStallMs,
      testEndMs: input.trafficEnd,
    });
    captures.push({ report, artifact: relative(input.dir, file), host });
  }
  for (const r of input.records) {
    if (r.inject !== undefined) {
      const p = firstProgressAfter(input.agents, r.takeover ?? r.inject);
      if (p !== undefined) r.firstPeerProgress = p;
    }
  }
  const connections = agentConnections(input.agents, input.chassisIp);
  const verdicts = judgeIterations({
    spans,
    connections,
    agents: input.agents,
    captures,
    maxStallMs: input.maxStallMs,
    runStart: input.runStart,
  });
  return { verdicts, connections, agents: input.agents, captures };
}
