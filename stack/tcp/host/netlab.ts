/**
 * Helpers for the kernel interop tests and the benchmark: a namespace of
 * their own, the stack daemon on a TAP in it (the kernel side of the TAP is
 * the Linux peer), kernel peer jobs, nftables, and clean-up of all of it.
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { PeerJob } from './kernel-peer.fixture.ts';

const ROOT = join(import.meta.dirname, '../../..');
const CLI = join(ROOT, 'harness/cli/hitless.mjs');
const PEER = join(import.meta.dirname, 'kernel-peer.fixture.ts');
const DAEMON = join(import.meta.dirname, 'daemon.fixture.ts');

// npm puts node_modules/.bin first on PATH, and a package there is also called `nft`.
const NFT = ['/usr/sbin/nft', '/sbin/nft'].find((p) => existsSync(p)) ?? 'nft';

export const isRoot = process.getuid?.() === 0;
/** Net tests run as root; elsewhere they skip, except under CI where that is a failure. */
export const netTestsRunnable = isRoot || process.env.CI === 'true';

type Cleanup = (fn: () => void) => void;

export interface Lab {
  ns: string;
  dir: string;
  tap: string;
  /** The stack's address (the daemon) and the kernel's, both on the TAP's /24. */
  stackAddr: string;
  kernelAddr: string;
  config: string;
}

export function nsExec(ns: string, ...args: string[]): string {
  return execFileSync('ip', ['netns', 'exec', ns, ...args], { encoding: 'utf8' });
}

/** A fresh namespace and directory; both removed by `cleanup`. */
export function makeLab(
  cleanup: Cleanup,
  ns: string,
  subnet: number,
  apps: string[],
  opts: { mtu?: number } = {},
): Lab {
  const dir = mkdtempSync(join(tmpdir(), `${ns}-`));
  execFileSync('ip', ['netns', 'add', ns]);
  cleanup(() => {
    try {
      execFileSync('ip', ['netns', 'del', ns]);
    } catch {}
    rmSync(dir, { recursive: true, force: true });
  });
  nsExec(ns, 'ip', 'link', 'set', 'lo', 'up');
  const lab: Lab = {
    ns,
    dir,
    tap: 'hlt0',
    stackAddr: `198.18.${subnet}.1`,
    kernelAddr: `198.18.${subnet}.2`,
    config: join(dir, 'rpd.yaml'),
  };
  writeFileSync(
    lab.config,
    [
      'slot: 0',
      'front:',
      `  tap: ${lab.tap}`,
      `  address: ${lab.stackAddr}/24`,
      `  mac: 02:00:5e:10:${subnet.toString(16).padStart(2, '0')}:01`,
      ...(opts.mtu ? [`  mtu: ${opts.mtu}`] : []),
      ...(apps.length > 0 ? ['apps:', ...apps.map((a) => `  - ${a}`)] : ['apps: []']),
      `run_dir: ${dir}`,
      'log_level: info',
      '',
    ].join('\n'),
  );
  return lab;
}

export interface Proc {
  child: ChildProcess;
  /** JSON lines printed so far. */
  lines: Record<string, unknown>[];
  /** Resolves with the first line matching pred. */
  waitFor(
    pred: (l: Record<string, unknown>) => boolean,
    ms: number,
    what: string,
  ): Promise<Record<string, unknown>>;
  exited: Promise<number | null>;
  stderr(): string;
}

/** Follow a child's JSON lines; it is killed at cleanup if still running. */
export function track(child: ChildProcess, cleanup: Cleanup): Proc {
  const lines: Record<string, unknown>[] = [];
  const waiters: {
    pred: (l: Record<string, unknown>) => boolean;
    resolve: (l: Record<string, unknown>) => void;
  }[] = [];
  let err = '';
  let partial = '';
  child.stdout!.setEncoding('utf8');
  child.stdout!.on('data', (chunk: string) => {
    partial += chunk;
    const parts = partial.split('\n');
    partial = parts.pop()!;
    for (const text of parts) {
      if (!text.trim()) continue;
      let line: Record<string, unknown>;
      try {
        line = JSON.parse(text);
      } catch {
        line = { text };
      }
      lines.push(line);
      for (const w of [...waiters]) {
        if (w.pred(line)) {
          waiters.splice(waiters.indexOf(w), 1);
          w.resolve(line);
        }
      }
    }
  });
  child.stderr!.setEncoding('utf8');
  child.stderr!.on('data', (c: string) => {
    err = (err + c).slice(-20_000);
  });
  // 'close', not 'exit': stdout may still hold the last lines when the process exits.
  const exited = new Promise<number | null>((resolve) =>
    child.on('close', (code) => resolve(code)),
  );
  let done = false;
  void exited.then(() => {
    done = true;
  });
  cleanup(() => {
    if (!done && child.pid) {
      try {
        process.kill(child.pid, 'SIGKILL');
      } catch {}
    }
  });
  return {
    child,
    lines,
    exited,
    stderr: () => err,
    waitFor(pred, ms, what) {
      const seen = lines.find(pred);
      if (seen) return Promise.resolve(seen);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(
          () =>
            reject(
              new Error(
                `timed out after ${ms} ms waiting for ${what}; stderr: ${err.slice(-2000)}`,
              ),
            ),
          ms,
        );
        const w = {
          pred,
          resolve: (l: Record<string, unknown>) => {
            clearTimeout(timer);
            resolve(l);
          },
        };
        waiters.push(w);
        void exited.then((code) => {
          if (waiters.includes(w)) {
            clearTimeout(timer);
            reject(
              new Error(`process exited (${code}) before ${what}; stderr: ${err.slice(-2000)}`),
            );
          }
        });
      });
    },
  };
}

export interface DaemonOptions {
  /** 'cli': `hitless rpd --config` (the shipped path); 'fixture': in-process with extras. */
  via?: 'cli' | 'fixture';
  extra?: Record<string, unknown>;
  /** Extra node flags for the daemon process (e.g. --cpu-prof). */
  nodeArgs?: string[];
}

/** Start the stack daemon in the lab and give the kernel side of its TAP an address. */
export async function startStack(
  cleanup: Cleanup,
  lab: Lab,
  opts: DaemonOptions = {},
): Promise<Proc> {
  const args =
    opts.via === 'fixture'
      ? [
          'node',
          ...(opts.nodeArgs ?? []),
          '--import=tsx',
          DAEMON,
          lab.config,
          JSON.stringify(opts.extra ?? {}),
        ]
      : ['node', ...(opts.nodeArgs ?? []), CLI, 'rpd', '--config', lab.config];
  const child = spawn('ip', ['netns', 'exec', lab.ns, ...args], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const proc = track(child, cleanup);
  await proc.waitFor((l) => l.event === 'started', 20_000, 'daemon start');
  nsExec(lab.ns, 'ip', 'addr', 'add', `${lab.kernelAddr}/24`, 'dev', lab.tap);
  return proc;
}

/** Run a kernel peer job in the lab's namespace. */
export function startPeer(cleanup: Cleanup, lab: Lab, job: PeerJob): Proc {
  const child = spawn(
    'ip',
    ['netns', 'exec', lab.ns, 'node', '--import=tsx', PEER, JSON.stringify(job)],
    {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  return track(child, cleanup);
}

/** The job's result (or a rejection carrying its error). */
export async function peerResult<T>(p: Proc, ms: number, what: string): Promise<T> {
  const line = await p.waitFor((l) => 'result' in l || 'error' in l, ms, what);
  if ('error' in line) throw new Error(`${what}: ${String(line.error)}`);
  return line.result as T;
}

/** Drop `percent` % of TCP on the TAP in both directions, in the kernel's namespace. */
export function randomDrop(lab: Lab, percent: number): void {
  const rules = [
    'table inet hltcploss {',
    '  chain in {',
    '    type filter hook input priority 0; policy accept;',
    `    iifname "${lab.tap}" meta l4proto tcp numgen random mod 100 < ${percent} counter drop`,
    '  }',
    '  chain out {',
    '    type filter hook output priority 0; policy accept;',
    `    oifname "${lab.tap}" meta l4proto tcp numgen random mod 100 < ${percent} counter drop`,
    '  }',
    '}',
  ].join('\n');
  const file = join(lab.dir, 'loss.nft');
  writeFileSync(file, rules);
  nsExec(lab.ns, NFT, '-f', file);
}

/** Counters of the loss rules: packets dropped in and out. */
export function dropCounts(lab: Lab): string {
  return nsExec(lab.ns, NFT, 'list', 'table', 'inet', 'hltcploss');
}

export function poll(cond: () => boolean, ms: number, what: string): Promise<void> {
  const end = Date.now() + ms;
  return new Promise((resolve, reject) => {
    const tick = (): void => {
      if (cond()) resolve();
      else if (Date.now() > end) reject(new Error(`timed out waiting for ${what}`));
      else setTimeout(tick, 20);
    };
    tick();
  });
}
