/**
 * Raise the calling thread's scheduling priority, as routers run their heartbeat tasks: on a
 * loaded machine a normal thread can wait tens of ms for a CPU, longer than the detection
 * time. First real-time (SCHED_FIFO through `chrt`), else the highest nice value; without the
 * privilege (CAP_SYS_NICE) the thread runs as it is. Linux only; never throws.
 */
import { execFile } from 'node:child_process';
import { readlinkSync } from 'node:fs';
import os from 'node:os';

export const HEARTBEAT_RT_PRIORITY = 10;

export type PriorityOutcome =
  | { policy: 'fifo'; priority: number; tid: number }
  | { policy: 'nice'; nice: number; tid: number; reason: string }
  | { policy: 'normal'; reason: string };

/** This thread's kernel id (its own entry under /proc/<pid>/task), or undefined. */
export function currentThreadId(): number | undefined {
  try {
    const tid = Number(readlinkSync('/proc/thread-self').split('/').pop());
    return Number.isInteger(tid) && tid > 0 ? tid : undefined;
  } catch {
    return undefined;
  }
}

export async function raiseThreadPriority(): Promise<PriorityOutcome> {
  const tid = currentThreadId();
  if (tid === undefined) return { policy: 'normal', reason: 'no /proc/thread-self' };
  const fifo = await new Promise<string | undefined>((resolve) => {
    execFile(
      'chrt',
      ['--fifo', '--pid', String(HEARTBEAT_RT_PRIORITY), String(tid)],
      { timeout: 2000 },
      (err, _out, stderr) => resolve(err ? stderr.trim() || err.message : undefined),
    );
  });
  if (fifo === undefined) return { policy: 'fifo', priority: HEARTBEAT_RT_PRIORITY, tid };
  try {
    os.setPriority(tid, -20);
    return { policy: 'nice', nice: -20, tid, reason: `no real-time priority: ${fifo}` };
  } catch (err) {
    return { policy: 'normal', reason: `${fifo}; nice: ${(err as Error).message}` };
  }
}
