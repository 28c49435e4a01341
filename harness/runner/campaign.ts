/**
 * `hitless run`: one campaign from testplan to reports. Set-up (lab up or
 * checked, stack deployed, standby hot: campaign-setup.ts), the schedule
 * with captures and agents (campaign-schedule.ts), the way out that always
 * heals the chassis, whatever ends the run (campaign-teardown.ts), and the
 * verdicts, results.json and reports (campaign-results.ts).
 */
import { copyFileSync, mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { DEFAULT_LAB_FILE, loadLab } from '../lab/load.ts';
import { expandSchedule, loadTestplan } from '../plan/load.ts';
import { finishRun, type RunOutcome } from './campaign-results.ts';
import { runTrafficAndSchedule } from './campaign-schedule.ts';
import { setUpChassis } from './campaign-setup.ts';
import { guardRun, type RunError } from './campaign-teardown.ts';
import { CHECKOUT } from './deploy.ts';
import { RunnerError } from './errors.ts';
import { openLab } from './lab-access.ts';
import type { RunState } from './run-state.ts';
import { Timeline } from './timeline.ts';

export type { RunOutcome } from './campaign-results.ts';

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
  const artifactsDir = join(dir, 'artifacts');
  mkdirSync(artifactsDir, { recursive: true });
  copyFileSync(plan.file, join(dir, 'testplan.yaml'));
  copyFileSync(lab.file, join(dir, 'lab.yaml'));
  const timeline = new Timeline(dir);
  const guard = guardRun(print, timeline);
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
  const access = openLab(lab);
  guard.cleanup.add('close lab access', async () => access.close());
  const r: RunState = {
    plan,
    lab,
    seed,
    schedule,
    runId,
    dir,
    artifactsDir,
    startedAt,
    timeline,
    cleanup: guard.cleanup,
    signal: guard.signal,
    print,
    access,
    records: [],
    agents: [],
    captures: [],
    pcaps: [],
    daemonLogs: [],
    consoleLogs: [],
    trafficStart: startedAt,
  };

  let runError: RunError | undefined;
  try {
    const ch = await setUpChassis(r, opts.keepLab ?? false);
    await runTrafficAndSchedule(r, ch);
  } catch (err) {
    runError = guard.stoppedBy(err);
    timeline.add('harness', 'run.error', runError);
    print(`run stopped: ${runError.code}: ${runError.message}`);
  }
  r.trafficEnd ??= Date.now();
  // Stop the agents and captures (their clean-up entries run first), fetch the logs, then heal.
  const { interrupted, crash } = await guard.tearDown();
  runError ??= crash;
  try {
    return await finishRun(r, runError, interrupted || crash !== undefined);
  } finally {
    guard.release();
  }
}
