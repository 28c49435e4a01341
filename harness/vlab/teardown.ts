/**
 * Removing everything a lab prefix owns: its supervisor, every process that
 * runs in its namespaces or names its state dir, its namespaces, its
 * root-namespace links and its state dir. Safe after a crash or a killed
 * `up`, and a no-op the second time.
 */
import { readdirSync, readFileSync, rmSync } from 'node:fs';
import { listNetns, netnsPids } from './build.ts';
import { ip, ipBatch, waitFor } from './sh.ts';

/** True while a process with this PID exists. */
export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

function cmdline(pid: number | string): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' ');
  } catch {
    return '';
  }
}

function kill(pid: number, signal: NodeJS.Signals = 'SIGKILL'): boolean {
  try {
    process.kill(pid, signal);
    return true;
  } catch {
    return false;
  }
}

/** The lab's supervisor PID when it is alive (and really is that lab's supervisor). */
export function supervisorPid(stateDir: string): number | undefined {
  try {
    const pid = Number(readFileSync(`${stateDir}/supervisor.pid`, 'utf8').trim());
    if (pid > 0 && alive(pid) && cmdline(pid).includes('supervisor.ts')) return pid;
  } catch {
    // no pid file
  }
  return undefined;
}

export interface DownSummary {
  prefix: string;
  processes: number;
  namespaces: number;
  links: number;
  summary: string;
}

export async function teardown(prefix: string, stateDir: string): Promise<DownSummary> {
  let processes = 0;
  const sup = supervisorPid(stateDir);
  if (sup) {
    kill(sup, 'SIGTERM');
    await waitFor('supervisor exit', () => !alive(sup), 3000).catch(() => kill(sup));
    processes++;
  }
  // Processes started for this lab in the root namespace carry its state dir on their command line.
  const self = new Set([process.pid, process.ppid]);
  for (const entry of readdirSync('/proc')) {
    const pid = Number(entry);
    if (!pid || self.has(pid)) continue;
    if (cmdline(pid).includes(`${stateDir}/`) && kill(pid)) processes++;
  }
  const mine = (await listNetns()).filter((ns) => ns.startsWith(`${prefix}-`));
  for (const ns of mine) {
    for (const pid of await netnsPids(ns)) if (kill(pid)) processes++;
  }
  await ipBatch(
    undefined,
    mine.map((ns) => `netns del ${ns}`),
    true,
  );
  const links = JSON.parse((await ip(undefined, ['-j', 'link', 'show'])).stdout || '[]') as {
    ifname: string;
  }[];
  const ours = links.map((l) => l.ifname).filter((n) => n.startsWith(`${prefix}-`));
  await ipBatch(
    undefined,
    ours.map((n) => `link del ${n}`),
    true,
  );
  rmSync(stateDir, { recursive: true, force: true });
  return {
    prefix,
    processes,
    namespaces: mine.length,
    links: ours.length,
    summary: `${processes} processes killed, ${mine.length} namespaces and ${ours.length} links removed, ${stateDir} deleted`,
  };
}
