/** Helpers for the runner's tests: small testplans and the `hitless run` command as a child process. */
import { type ChildProcess, spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { LOCAL_HITLESS } from './deploy.ts';

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
