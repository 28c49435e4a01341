/**
 * Helpers for the runner's tests: a virtual chassis per test file, small
 * testplans, the `hitless run` command as a child process, its results.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import test from 'ava';
import { stringify } from 'yaml';
import { Results } from '../../reports/results-schema.ts';
import { type VlabUp, vlabDown, vlabStatus, vlabUp, writeVirtualLab } from '../vlab/index.ts';
import { netTestBlocker } from '../vlab/testing.ts';
import { LOCAL_HITLESS } from './deploy.ts';

export interface CampaignLab {
  /** test.serial, or test.skip when not root outside CI (netTestBlocker throws under CI). */
  netTest: typeof test.serial;
  /** A temporary directory for plans and runs, removed at the end. */
  dir: string;
  labFile(): string;
  up(): VlabUp;
}

/** A virtual chassis of the test file's own (prefix, management subnet), up before its tests, down after. */
export function campaignLab(opts: {
  prefix: string;
  subnet: number;
  bootMs?: number;
}): CampaignLab {
  const blocked = netTestBlocker();
  if (blocked) console.log(`${opts.prefix}: skipped: ${blocked}`);
  const dir = mkdtempSync(join(tmpdir(), `hitless-${opts.prefix}-`));
  let labFile = '';
  let up: VlabUp | undefined;
  test.before(async () => {
    if (blocked) return;
    labFile = writeVirtualLab({
      prefix: opts.prefix,
      subnet: opts.subnet,
      dir,
      ...(opts.bootMs !== undefined ? { bootMs: opts.bootMs } : {}),
    });
    await vlabDown(labFile);
    up = await vlabUp(labFile);
  });
  test.after.always(async () => {
    if (!blocked && labFile) await vlabDown(labFile);
    rmSync(dir, { recursive: true, force: true });
  });
  return {
    netTest: blocked ? (test.skip as unknown as typeof test.serial) : test.serial,
    dir,
    labFile: () => labFile,
    up: () => {
      if (!up) throw new Error(`${opts.prefix}: the virtual lab is not up`);
      return up;
    },
  };
}

export function readResults(out: string): Results {
  return Results.parse(JSON.parse(readFileSync(join(out, 'results.json'), 'utf8')));
}

export function writePlan(dir: string, name: string, over: Record<string, unknown> = {}): string {
  const plan = {
    name,
    traffic: { connections_per_peer: 2, rate_kbps: 400 },
    faults: {
      spacing_ms: 500,
      warmup_ms: 800,
      order: 'listed',
      schedule: [{ kind: 'kill-active' }],
    },
    settle: { standby_hot_timeout_ms: 15000, boot_timeout_ms: 15000 },
    checks: { max_stall_ms: 1000 },
    reports: ['json', 'junit', 'md'],
    ...over,
  };
  const file = join(dir, `${name}.yaml`);
  writeFileSync(file, stringify(plan));
  return file;
}

export interface CliRun {
  child: ChildProcess;
  done: Promise<{ code: number | null; stdout: string; stderr: string }>;
}

export function startRun(args: string[]): CliRun {
  const child = spawn(process.execPath, [LOCAL_HITLESS, 'run', ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout?.setEncoding('utf8').on('data', (d: string) => {
    stdout += d;
  });
  child.stderr?.setEncoding('utf8').on('data', (d: string) => {
    stderr += d;
  });
  const done = new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
  return { child, done };
}

/** What a run must leave behind on the virtual chassis: every board powered, every cable plugged. */
export async function healedState(
  labFile: string,
): Promise<{ powered: boolean; plugged: boolean }> {
  const status = await vlabStatus(labFile);
  return {
    powered: status.outlets.filter((o) => o.powers).every((o) => o.on),
    plugged: status.ports.every((p) => p.admin === 'up'),
  };
}
