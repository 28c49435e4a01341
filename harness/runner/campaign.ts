/**
 * `hitless run`: one campaign from testplan to reports. Lab up (or checked),
 * stack deployed, standby hot, captures and agents started, the schedule
 * run fault by fault, then everything stopped and fetched, verdicts from the
 * captures cross-checked with the agents, results.json and the reports.
 * Whatever ends the run (the end, an error, Ctrl-C), the clean-up stack
 * heals the chassis: processes stopped, cables up, power on.
 */
import { copyFileSync, existsSync, mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Lease } from '../../drivers/lease/lease.ts';
import { parseFormats, writeReports } from '../../reports/render.ts';
import type { Artifact, Results } from '../../reports/results-schema.ts';
import { DEFAULT_LAB_FILE, loadLab } from '../lab/load.ts';
import { leaseFile } from '../lab-drivers/from-lab.ts';
import { expandSchedule, loadTestplan } from '../plan/load.ts';
import { analyzeRun } from './analysis.ts';
import type { BoardDaemon } from './board-daemon.ts';
import { abortableSleep, LabChassis } from './chassis.ts';
import { Cleanup } from './cleanup.ts';
import { openConsoles } from './consoles.ts';
import { chassisAddress } from './daemon-config.ts';
import { mergeDaemonLog } from './daemon-log.ts';
import { CHECKOUT, checkLab, deployStack, ensureVirtualLab, remoteHitless } from './deploy.ts';
import { codeOf, messageOf, RunnerError } from './errors.ts';
import { openLab } from './lab-access.ts';
import { artifact, assembleResults, type IterationRecord, writeResults } from './results.ts';
import { elapsedSince, healChassis, runSchedule, startMonitor } from './schedule.ts';
import { Timeline } from './timeline.ts';
import {
  type RunningAgent,
  type RunningCapture,
  startAgents,
  startCaptures,
  stopAgents,
  stopCaptures,
  waitAgentsConnected,
  waitCapturesListening,
} from './traffic.ts';

export interface RunOptions {
  testplan: string;
  lab?: string;
  out?: string;
  seed?: number;
  repeat?: number;
  /** Leave a virtual lab the run brought up running. */
  keepLab?: boolean;
  print?: (line: string) => void;
}

export interface RunOutcome {
  dir: string;
  results: Results;
  exitCode: 0 | 1 | 2;
  reports: Record<string, string>;
}

function stamp(d: Date): string {
  return d
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d+Z$/, 'Z');
}

export async function runCampaign(opts: RunOptions): Promise<RunOutcome> {
  const print = opts.print ?? ((l: string) => process.stderr.write(`${l}\n`));
  const plan = loadTestplan(opts.testplan);
  const labFile = resolve(opts.lab ?? plan.labFile ?? DEFAULT_LAB_FILE);
  const lab = loadLab(labFile);
  const seed = opts.seed ?? plan.faults.seed;
  const repeat = opts.repeat ?? 1;
  if (!Number.isInteger(repeat) || repeat < 1)
    throw new RunnerError('RUN_BAD_OPTIONS', '--repeat must be a positive integer');
  const schedule = expandSchedule(plan, seed, repeat);
  const startedAt = Date.now();
  const runId = `${stamp(new Date(startedAt))}-${plan.name}`;
  const dir = resolve(opts.out ?? join(CHECKOUT, 'reports/runs', runId));
  mkdirSync(dir, { recursive: true });
  const artifactsDir = join(dir, 'artifacts');
  mkdirSync(artifactsDir, { recursive: true });
  copyFileSync(plan.file, join(dir, 'testplan.yaml'));
  copyFileSync(lab.file, join(dir, 'lab.yaml'));
  const timeline = new Timeline(dir);
  const abort = new AbortController();
  const cleanup = new Cleanup(print, () => abort.abort());
  cleanup.trapSignals();
  // A crash in some driver's callback must still end in a healed chassis: stop the run, clean up.
  let crash: Error | undefined;
  const onCrash = (err: unknown) => {
    crash ??= err instanceof Error ? err : new Error(String(err));
    timeline.add('harness', 'run.crash', { message: crash.message });
    abort.abort();
  };
  process.on('uncaughtException', onCrash);
  process.on('unhandledRejection', onCrash);
  timeline.add('harness', 'run.start', {
    plan: plan.name,
    lab: lab.name,
    seed,
    faults: schedule.length,
    dir,
  });
  print(
    `hitless run ${plan.name}: ${schedule.length} faults on lab ${lab.name}, seed ${seed}; results in ${dir}`,
  );

  const records: IterationRecord[] = [];
  let runError: { code: string; message: string } | undefined;
  let agents: RunningAgent[] = [];
  let captures: RunningCapture[] = [];
  let pcaps: string[] = [];
  let trafficStart = startedAt;
  let trafficEnd: number | undefined;
  const daemonLogs: string[] = [];
  const consoleLogs: string[] = [];
  const access = openLab(lab);
  cleanup.add('close lab access', async () => access.close());
  try {
    if (lab.kind === 'virtual') {
      const down = await ensureVirtualLab(lab, timeline);
      if (down && !opts.keepLab) cleanup.add('virtual lab down', down);
    }
    // One run at a time per lab. (A virtual lab's lease lives in its state
    // directory, which bringing the lab up recreates: take it after that.)
    const lease = Lease.acquire({
      file: leaseFile(lab),
      lab: lab.name,
      ttlMs: 30_000,
      onLost: (by) => timeline.add('harness', 'lease.lost', { by: by?.owner ?? null }),
    });
    timeline.add('harness', 'lease.acquired', { owner: lease.info.owner });
    cleanup.add('release the lab lease', async () => lease.release());
    await checkLab(access, timeline);
    const consoles = await openConsoles(lab, artifactsDir, timeline, {
      login: lab.kind === 'real',
    });
    consoleLogs.push(...consoles.logs);
    cleanup.add('close the consoles', () => consoles.close());
    // Runs after the daemons are stopped, while the lab is still there.
    cleanup.add('fetch the daemon logs', async () => {
      for (const board of lab.boards) {
        const local = join(artifactsDir, `${board.name}-daemon.log`);
        try {
          await access.host(board.name).fetch('/var/log/rpd.log', local, 30_000);
          daemonLogs.push(local);
          mergeDaemonLog(local, board.name, timeline, { from: startedAt, to: Date.now() });
        } catch (err) {
          timeline.add('harness', 'artifact.lost', {
            board: board.name,
            file: '/var/log/rpd.log',
            message: messageOf(err),
          });
        }
      }
    });
    let daemons = new Map<string, BoardDaemon>();
    const deployed = await deployStack(access, plan, timeline, (list) => {
      cleanup.add('stop the daemons', async () => {
        for (const d of list) await d.stop().catch(() => undefined);
        timeline.add('harness', 'daemons.stopped', {});
      });
    });
    daemons = deployed.daemons;
    const ch = new LabChassis(access, daemons, timeline, { signal: abort.signal });
    cleanup.add('heal the chassis', () => healChassis(ch, access.lab, timeline));
    print(`[${elapsedSince(startedAt)}] stack deployed; waiting for a hot standby`);
    await ch.waitHot(plan.settle.standby_hot_timeout_ms);

    const chassisIp = chassisAddress(lab).address;
    const peers = access.peers(plan.traffic.peers);
    captures = startCaptures(access, lab.captures, chassisIp, runId, timeline);
    cleanup.add('stop the captures', async () => {
      pcaps = await stopCaptures(captures, artifactsDir, timeline);
      captures = [];
    });
    await waitCapturesListening(captures, 15_000, abort.signal);
    trafficStart = Date.now();
    agents = startAgents(
      access,
      peers,
      {
        hitless: remoteHitless(plan.stack.deploy, lab),
        target: chassisIp,
        connections: plan.traffic.connections_per_peer,
        apps: plan.traffic.apps,
        rateKbps: plan.traffic.rate_kbps,
        direction: plan.traffic.direction,
        stallMs: Math.min(200, plan.checks.max_stall_ms),
        seed,
      },
      timeline,
      artifactsDir,
    );
    cleanup.add('stop the agents', async () => {
      await stopAgents(agents, timeline);
      trafficEnd ??= Date.now();
    });
    await waitAgentsConnected(agents, plan.traffic.connections_per_peer, 20_000, abort.signal);
    print(
      `[${elapsedSince(startedAt)}] ${peers.length} peers × ${plan.traffic.connections_per_peer} connections up; warm-up ${plan.faults.warmup_ms} ms`,
    );
    await abortableSleep(plan.faults.warmup_ms, abort.signal);

    const monitor = startMonitor(ch, abort.signal);
    try {
      await runSchedule({
        plan,
        schedule,
        chassis: ch,
        timeline,
        records,
        print,
        startedAt,
        trafficStart,
        signal: abort.signal,
        peerErrors: () =>
          agents.reduce((n, a) => n + a.events.filter((e) => e.event === 'error').length, 0),
      });
      // Let the last recovery show in the captures before traffic stops.
      await abortableSleep(Math.min(3000, plan.checks.max_stall_ms + 1000), abort.signal);
    } finally {
      await monitor.stop();
    }
  } catch (err) {
    runError = cleanup.wasInterrupted
      ? { code: 'RUN_INTERRUPTED', message: 'interrupted (Ctrl-C)' }
      : crash
        ? { code: 'RUN_CRASH', message: `the harness crashed: ${crash.message}` }
        : { code: codeOf(err), message: messageOf(err) };
    timeline.add('harness', 'run.error', runError);
    print(`run stopped: ${runError.code}: ${runError.message}`);
  }
  if (crash && !runError)
    runError = { code: 'RUN_CRASH', message: `the harness crashed: ${crash.message}` };
  trafficEnd ??= Date.now();
  // Stop the agents and captures now (their clean-up entries run first), fetch the logs, then heal.
  await cleanup.runAll();
  cleanup.dispose();
  process.off('uncaughtException', onCrash);
  process.off('unhandledRejection', onCrash);
  const interrupted = cleanup.wasInterrupted;
  const last = records.at(-1);
  if (last) last.spanEnd = Math.max(last.spanEnd, trafficEnd);
  timeline.add('harness', 'run.end', {});
  const timelineFile = timeline.save();

  const analysis = await analyzeRun({
    dir,
    pcaps,
    agents: agents.map((a) => ({
      peer: a.peer.name,
      address: a.peer.lan.address.split('/')[0]!,
      events: a.events,
    })),
    records,
    chassisIp: chassisAddress(lab).address,
    maxStallMs: plan.checks.max_stall_ms,
    trafficStart,
    trafficEnd,
    runStart: startedAt,
  });
  const runArtifacts: Artifact[] = [
    artifact(dir, timelineFile, 'timeline'),
    artifact(dir, join(dir, 'testplan.yaml'), 'config', 'testplan'),
    artifact(dir, join(dir, 'lab.yaml'), 'config', 'lab file'),
    ...pcaps.map((p) => artifact(dir, p, 'pcap')),
    ...agents.map((a) => artifact(dir, a.logFile, 'agent-log', `agent on ${a.peer.name}`)),
    ...daemonLogs.map((p) => artifact(dir, p, 'daemon-log')),
    ...consoleLogs.filter((p) => existsSync(p)).map((p) => artifact(dir, p, 'console-log')),
  ];
  const iterationArtifacts = runArtifacts.filter(
    (a) => a.kind === 'pcap' || a.kind === 'daemon-log' || a.kind === 'console-log',
  );
  const results = assembleResults({
    dir,
    runId,
    plan,
    seed,
    lab,
    startedAt,
    endedAt: Date.now(),
    ...(runError ? { runError } : {}),
    records,
    verdicts: analysis.verdicts,
    connections: analysis.connections,
    agents: analysis.agents,
    timeline: timeline.all(),
    artifacts: runArtifacts,
    iterationArtifacts,
  });
  writeResults(dir, results);
  const formats = plan.reports.filter((f) => f !== 'json');
  let reports: Record<string, string> = { json: join(dir, 'results.json') };
  if (formats.length > 0) {
    try {
      const written = await writeReports(dir, { formats: parseFormats(formats.join(',')) });
      reports = { ...reports, ...(written.files as Record<string, string>) };
    } catch (err) {
      print(`reports: ${messageOf(err)}`);
    }
  }
  // An interrupted or crashed run is incomplete: an infrastructure outcome, whatever it saw so far.
  const exitCode =
    interrupted || crash ? 2 : results.verdict === 'pass' ? 0 : results.verdict === 'fail' ? 1 : 2;
  const t = results.statistics.totals;
  print(
    `${plan.name}: ${results.verdict.toUpperCase()} — ${t.pass} passed, ${t.fail} failed, ${t.expectedDegraded} expected-degraded, ${t.error} errors, ${t.skipped} skipped (${elapsedSince(startedAt)})`,
  );
  print(`report: ${reports.html ?? reports.json}`);
  return { dir, results, exitCode, reports };
}
