/**
 * A run's results, once everything is stopped and fetched: verdicts from
 * the captures joined with the agents' reports, results.json with every
 * artifact, the plan's reports, the exit code and the closing lines.
 */
import { existsSync } from 'node:fs';
import { basename, join } from 'node:path';
import { parseFormats, writeReports } from '../../reports/render.ts';
import type { Artifact, Results } from '../../reports/results-schema.ts';
import { analyzeRun } from './analysis.ts';
import type { RunError } from './campaign-teardown.ts';
import { mergeConsoleLog } from './console-log.ts';
import { chassisAddress } from './daemon-config.ts';
import { messageOf } from './errors.ts';
import { artifact, assembleResults, writeResults } from './results.ts';
import type { RunState } from './run-state.ts';
import { elapsedSince } from './schedule.ts';
import { refineTakeovers } from './takeover-time.ts';

export interface RunOutcome {
  dir: string;
  results: Results;
  exitCode: 0 | 1 | 2;
  reports: Record<string, string>;
}

/**
 * 0 pass, 1 a failure of the device under test, 2 anything else. An
 * interrupted or crashed run is incomplete: an infrastructure outcome,
 * whatever it saw so far.
 */
export function exitCodeFor(verdict: Results['verdict'], cutShort: boolean): 0 | 1 | 2 {
  if (cutShort) return 2;
  return verdict === 'pass' ? 0 : verdict === 'fail' ? 1 : 2;
}

export async function finishRun(
  r: RunState,
  runError: RunError | undefined,
  cutShort: boolean,
): Promise<RunOutcome> {
  const { dir, plan, timeline } = r;
  const trafficEnd = r.trafficEnd ?? Date.now();
  const last = r.records.at(-1);
  if (last) last.spanEnd = Math.max(last.spanEnd, trafficEnd);
  for (const file of r.consoleLogs) {
    mergeConsoleLog(file, basename(file).replace(/-console\.log$/, ''), timeline);
  }
  timeline.add('harness', 'run.end', {});
  const timelineFile = timeline.save();

  refineTakeovers(r.records, timeline.all());
  const analysis = await analyzeRun({
    dir,
    pcaps: r.pcaps,
    agents: r.agents.map((a) => ({
      peer: a.peer.name,
      address: a.peer.lan.address.split('/')[0]!,
      events: a.events,
    })),
    records: r.records,
    chassisIp: chassisAddress(r.lab).address,
    maxStallMs: plan.checks.max_stall_ms,
    trafficStart: r.trafficStart,
    trafficEnd,
    runStart: r.startedAt,
  });
  const runArtifacts: Artifact[] = [
    artifact(dir, timelineFile, 'timeline'),
    artifact(dir, join(dir, 'testplan.yaml'), 'config', 'testplan'),
    artifact(dir, join(dir, 'lab.yaml'), 'config', 'lab file'),
    ...r.pcaps.map((p) => artifact(dir, p.path, 'pcap')),
    ...r.agents.map((a) => artifact(dir, a.logFile, 'agent-log', `agent on ${a.peer.name}`)),
    ...r.daemonLogs.map((p) => artifact(dir, p, 'daemon-log')),
    ...r.consoleLogs.filter((p) => existsSync(p)).map((p) => artifact(dir, p, 'console-log')),
  ];
  const iterationArtifacts = runArtifacts.filter(
    (a) => a.kind === 'pcap' || a.kind === 'daemon-log' || a.kind === 'console-log',
  );
  const results = assembleResults({
    dir,
    runId: r.runId,
    plan,
    seed: r.seed,
    lab: r.lab,
    startedAt: r.startedAt,
    endedAt: Date.now(),
    ...(runError ? { runError } : {}),
    records: r.records,
    verdicts: analysis.verdicts,
    connections: analysis.connections,
    agents: analysis.agents,
    timeline: timeline.all(),
    artifacts: runArtifacts,
    iterationArtifacts,
  });
  writeResults(dir, results);
  const reports = await writePlanReports(r, join(dir, 'results.json'));
  const exitCode = exitCodeFor(results.verdict, cutShort);
  const t = results.statistics.totals;
  r.print(
    `${plan.name}: ${results.verdict.toUpperCase()} — ${t.pass} passed, ${t.fail} failed, ${t.expectedDegraded} expected-degraded, ${t.error} errors, ${t.skipped} skipped (${elapsedSince(r.startedAt)})`,
  );
  r.print(`report: ${reports.html ?? reports.json}`);
  return { dir, results, exitCode, reports };
}

async function writePlanReports(r: RunState, json: string): Promise<Record<string, string>> {
  const formats = r.plan.reports.filter((f) => f !== 'json');
  const reports: Record<string, string> = { json };
  if (formats.length === 0) return reports;
  try {
    const written = await writeReports(r.dir, { formats: parseFormats(formats.join(',')) });
    return { ...reports, ...(written.files as Record<string, string>) };
  } catch (err) {
    r.print(`reports: ${messageOf(err)}`);
    return reports;
  }
}
