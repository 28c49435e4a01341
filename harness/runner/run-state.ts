/**
 * What one campaign run carries from stage to stage (setup, schedule,
 * teardown, results): its plan and lab, where its files go, the clean-up
 * stack, and what it collected on the way.
 */
import type { Lab } from '../lab/schema.ts';
import type { LoadedTestplan, PlannedFault } from '../plan/load.ts';
import type { FetchedCapture, RunningCapture } from './captures.ts';
import type { Cleanup } from './cleanup.ts';
import type { LabAccess } from './lab-access.ts';
import type { IterationRecord } from './results.ts';
import type { Timeline } from './timeline.ts';
import type { RunningAgent } from './traffic.ts';

export interface RunState {
  plan: LoadedTestplan;
  lab: Lab;
  seed: number;
  schedule: PlannedFault[];
  runId: string;
  dir: string;
  artifactsDir: string;
  startedAt: number;
  timeline: Timeline;
  cleanup: Cleanup;
  /** Aborted on Ctrl-C, SIGTERM or a crash: every wait of the run gives up. */
  signal: AbortSignal;
  print: (line: string) => void;
  access: LabAccess;
  records: IterationRecord[];
  agents: RunningAgent[];
  captures: RunningCapture[];
  pcaps: FetchedCapture[];
  daemonLogs: string[];
  consoleLogs: string[];
  trafficStart: number;
  trafficEnd?: number;
}
