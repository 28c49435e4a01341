/**
 * results.json from what a run gathered: iterations with their verdicts,
 * role changes, the timeline, progress series, artifacts, and the derived
 * statistics and verdict (reports/statistics.ts), validated against
 * reports/results-schema.ts before it is written.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join, relative } from 'node:path';
import { downsampleProgress } from '../../reports/progress.ts';
import {
  type Artifact,
  type ConnectionResult,
  type Iteration,
  LIMITS,
  type Progress,
  RESULTS_FILE,
  Results,
  type RoleChange,
} from '../../reports/results-schema.ts';
import { finalizeResults } from '../../reports/statistics.ts';
import type { Lab } from '../lab/schema.ts';
import type { LoadedTestplan } from '../plan/load.ts';
import type { FaultKind } from '../plan/schema.ts';
import { CHECKOUT } from './deploy.ts';
import { DEVICE_CODES } from './errors.ts';
import type { AgentConnection, AgentView } from './judge.ts';
import type { TimelineEntry } from './timeline.ts';

export interface IterationRecord {
  index: number;
  kind: FaultKind;
  expected: 'no-drop' | 'degraded';
  holdMs?: number;
  spanStart: number;
  spanEnd: number;
  inject?: number;
  takeover?: number;
  firstPeerProgress?: number;
  heal?: number;
  resyncDone?: number;
  target?: { board: string; slot: number; wasActive: boolean };
  error?: { code: string; message: string };
  skipped?: string;
}

export function stackIdentity(): { version: string; gitSha: string; dirty?: boolean } {
  const pkg = JSON.parse(readFileSync(join(CHECKOUT, 'package.json'), 'utf8')) as {
    version?: string;
  };
  let gitSha = '0000000';
  let dirty: boolean | undefined;
  try {
    gitSha = execFileSync('git', ['-C', CHECKOUT, 'rev-parse', 'HEAD'], {
      encoding: 'utf8',
    }).trim();
    dirty =
      execFileSync('git', ['-C', CHECKOUT, 'status', '--porcelain', '--untracked-files=no'], {
        encoding: 'utf8',
      }).trim() !== '';
  } catch {
    // not a git checkout: the all-zero hash says so
  }
  return { version: pkg.version ?? '0.0.0', gitSha, ...(dirty !== undefined ? { dirty } : {}) };
}

export function artifact(
  dir: string,
  file: string,
  kind: Artifact['kind'],
  label?: string,
): Artifact {
  let bytes: number | undefined;
  try {
    bytes = statSync(file).size;
  } catch {
    bytes = undefined;
  }
  return {
    path: relative(dir, file),
    kind,
    ...(label ? { label } : {}),
    ...(bytes !== undefined ? { bytes } : {}),
  };
}

const ROLE_MAP: Record<string, RoleChange['to']> = {
  active: 'active',
  standby: 'standby',
  booting: 'booting',
  inactive: 'standby',
  down: 'down',
  'no-daemon': 'down',
  unknown: 'down',
};

/** Role changes from the boards' `ha.role` / `ha.sync` timeline entries. */
export function roleChanges(entries: TimelineEntry[], lab: Lab, runStart: number): RoleChange[] {
  const out: RoleChange[] = [];
  const current = new Map<string, { role: string; sync?: string }>();
  const view = (s: { role: string; sync?: string }): RoleChange['to'] => {
    if (s.role === 'standby' && s.sync === 'hot') return 'hot-standby';
    if (s.role === 'standby' && s.sync === 'disconnected') return 'disconnected';
    return ROLE_MAP[s.role] ?? 'down';
  };
  for (const e of entries) {
    const board = lab.boards.find((b) => b.name === e.source);
    if (!board || (e.kind !== 'ha.role' && e.kind !== 'ha.sync')) continue;
    const before = current.get(board.name) ?? { role: 'down' };
    const after =
      e.kind === 'ha.role'
        ? { ...before, role: String(e.detail.to) }
        : { ...before, sync: String(e.detail.to) };
    current.set(board.name, after);
    const from = view(before);
    const to = view(after);
    if (from !== to) {
      out.push({
        time: Math.max(0, e.ts - runStart),
        slot: board.slot,
        board: board.name,
        from,
        to,
      });
    }
  }
  return out;
}

function detailText(d: Record<string, unknown>): string {
  const parts = Object.entries(d).map(
    ([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`,
  );
  const text = parts.join(' ');
  return text.length > 0 ? text.slice(0, 2000) : '-';
}

export function progressSeries(agents: AgentView[], runStart: number): Progress[] {
  const out: Progress[] = [];
  for (const a of agents) {
    const series = new Map<number, Array<[number, number]>>();
    for (const e of a.events) {
      if (e.event !== 'progress') continue;
      for (const [conn, , verified] of e.conns) {
        const s = series.get(conn) ?? [];
        s.push([Math.max(0, e.ts - runStart), verified]);
        series.set(conn, s);
      }
    }
    for (const [conn, samples] of series) {
      samples.sort((x, y) => x[0] - y[0]);
      out.push({ connection: `${a.peer}/c${conn}`, samples: downsampleProgress(samples, 1000) });
    }
  }
  return out;
}

export interface AssembleInput {
  dir: string;
  runId: string;
  plan: LoadedTestplan;
  seed: number;
  lab: Lab;
  startedAt: number;
  endedAt: number;
  runError?: { code: string; message: string };
  records: IterationRecord[];
  verdicts: Map<number, ConnectionResult[]>;
  connections: AgentConnection[];
  agents: AgentView[];
  timeline: TimelineEntry[];
  artifacts: Artifact[];
  iterationArtifacts: Artifact[];
}

export function iterationOf(
  r: IterationRecord,
  connections: ConnectionResult[],
  plan: LoadedTestplan,
  runStart: number,
  artifacts: Artifact[],
): Iteration {
  const rel = (t?: number) => (t === undefined ? undefined : Math.max(0, Math.round(t - runStart)));
  const times: Iteration['times'] = {};
  for (const [k, v] of [
    ['inject', r.inject],
    ['takeover', r.takeover],
    ['firstPeerProgress', r.firstPeerProgress],
    ['heal', r.heal],
    ['resyncDone', r.resyncDone],
  ] as const) {
    const t = rel(v);
    if (t !== undefined) times[k] = t;
  }
  const stalls = connections.map((c) => c.stallMs);
  const stallMs = stalls.includes(null) ? null : Math.max(0, ...(stalls as number[]));
  const dropped = connections.filter((c) => c.verdict === 'drop').length;
  const bad = connections.filter((c) => c.verdict !== 'ok' && c.verdict !== 'inconclusive');
  const unsure = connections.filter((c) => c.verdict === 'inconclusive');
  const checks: string[] = [];
  if (
    r.takeover !== undefined &&
    r.inject !== undefined &&
    plan.checks.switchover_ms !== undefined
  ) {
    const ms = r.takeover - r.inject;
    if (ms > plan.checks.switchover_ms)
      checks.push(`switchover took ${ms} ms (limit ${plan.checks.switchover_ms} ms)`);
  }
  if (r.resyncDone !== undefined && r.heal !== undefined && plan.checks.resync_ms !== undefined) {
    const ms = r.resyncDone - r.heal;
    if (ms > plan.checks.resync_ms)
      checks.push(`resync took ${ms} ms (limit ${plan.checks.resync_ms} ms)`);
  }
  let status: Iteration['status'];
  let summary: string;
  let error = r.error;
  if (r.skipped) {
    status = 'skipped';
    summary = r.skipped;
  } else if (r.error && DEVICE_CODES.has(r.error.code)) {
    // The boards answered but did not take over or resync: whatever the fault expected, a failure.
    status = 'fail';
    summary = [
      r.error.message,
      bad.length > 0 ? `${bad.length} of ${connections.length} connections failed` : '',
    ]
      .filter(Boolean)
      .join('; ');
  } else if (r.error?.code === 'RUN_INTERRUPTED') {
    status = 'error';
    summary = r.error.message;
  } else if (r.expected === 'degraded' && r.error) {
    // Its drops are expected: an unfinished double fault is not the device's failure.
    status = 'error';
    summary = `fault not completed: ${r.error.message}`;
  } else if (r.expected === 'degraded') {
    status = 'expected-degraded';
    summary =
      dropped > 0
        ? `${dropped} of ${connections.length} connections dropped, as a double fault must`
        : `no connection dropped, though a double fault cannot be hitless: check the evidence`;
  } else if (bad.length > 0 || checks.length > 0) {
    status = 'fail';
    const kinds = [...new Set(bad.map((c) => c.verdict))].join(', ');
    summary = [
      bad.length > 0 ? `${bad.length} of ${connections.length} connections failed (${kinds})` : '',
      ...checks,
    ]
      .filter(Boolean)
      .join('; ');
  } else if (r.error) {
    status = 'error';
    summary = `fault not completed: ${r.error.message}`;
  } else if (connections.length === 0) {
    // Nothing was there to watch: a fault no peer could have noticed proves nothing.
    status = 'error';
    error = {
      code: 'RUN_NO_TRAFFIC',
      message:
        'no peer connection was open during this fault (all broke earlier, or none connected)',
    };
    summary = error.message;
  } else if (unsure.length > 0) {
    status = 'error';
    error = {
      code: 'RUN_INCONCLUSIVE',
      message: `${unsure.length} connections inconclusive: the captures and the agents disagree or a capture is incomplete`,
    };
    summary = error.message;
  } else {
    status = 'pass';
    summary = `${connections.length} connections, no drop, longest stall ${stallMs ?? '?'} ms`;
  }
  return {
    index: r.index,
    kind: r.kind,
    ...(r.holdMs !== undefined ? { params: { hold_ms: r.holdMs } } : {}),
    ...(r.target
      ? { target: { slot: r.target.slot, role: r.target.wasActive ? 'active' : 'hot-standby' } }
      : {}),
    expected: r.expected === 'degraded' ? 'expected-degraded' : 'hitless',
    status,
    summary: summary || status,
    ...(error && (status === 'error' || status === 'fail') ? { error } : {}),
    times,
    stallMs,
    bytes: {
      toChassis: connections.reduce((a, c) => a + c.bytes.toChassis, 0),
      fromChassis: connections.reduce((a, c) => a + c.bytes.fromChassis, 0),
    },
    connections,
    artifacts,
  };
}

/** Entries added outside the schedule (daemon logs) get the iteration whose span holds them. */
function withIteration(e: TimelineEntry, records: IterationRecord[]): TimelineEntry {
  if (e.iteration !== undefined) return e;
  const r = records.find((x) => e.ts >= x.spanStart && e.ts < x.spanEnd);
  return r ? { ...e, iteration: r.index } : e;
}

export function assembleResults(input: AssembleInput): Results {
  const { plan, lab, startedAt } = input;
  const draft = {
    run: {
      id: input.runId,
      testplan: {
        name: plan.name,
        file: plan.file,
        ...(plan.description ? { description: plan.description } : {}),
      },
      seed: input.seed,
      lab: { name: lab.name, kind: lab.kind, file: lab.file },
      stack: stackIdentity(),
      boards: lab.boards.map((b) => ({ slot: b.slot, name: b.name })),
      host: { hostname: hostname() || 'localhost', node: process.version },
      startedAt: new Date(startedAt).toISOString(),
      endedAt: new Date(input.endedAt).toISOString(),
      ...(input.runError ? { error: input.runError } : {}),
    },
    checks: {
      noDrop: plan.checks.no_drop,
      dataIntegrity: plan.checks.data_integrity,
      maxStallMs: plan.checks.max_stall_ms,
      ...(plan.checks.switchover_ms !== undefined
        ? { maxSwitchoverMs: plan.checks.switchover_ms }
        : {}),
      ...(plan.checks.resync_ms !== undefined ? { maxResyncMs: plan.checks.resync_ms } : {}),
    },
    connections: input.connections.map(({ id, peer, app, local, remote }) => ({
      id,
      peer,
      app,
      local,
      remote,
    })),
    iterations: input.records.map((r) =>
      iterationOf(r, input.verdicts.get(r.index) ?? [], plan, startedAt, input.iterationArtifacts),
    ),
    roleChanges: roleChanges(input.timeline, lab, startedAt),
    timeline: input.timeline
      .slice(0, LIMITS.timelineEvents)
      .map((e) => withIteration(e, input.records))
      .map((e) => ({
        time: Math.max(0, e.ts - startedAt),
        source: e.source || 'harness',
        kind: e.kind || 'event',
        detail: detailText(e.detail),
        ...(e.iteration !== undefined ? { iteration: e.iteration } : {}),
      })),
    progress: progressSeries(input.agents, startedAt),
    artifacts: input.artifacts,
  };
  return Results.parse(finalizeResults(draft));
}

export function writeResults(dir: string, results: Results): string {
  const file = join(dir, RESULTS_FILE);
  writeFileSync(file, `${JSON.stringify(results, null, 1)}\n`);
  return file;
}
