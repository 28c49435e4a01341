/**
 * Test helpers: a network namespace joined to the root namespace by a veth
 * pair on a /30 of 198.18.212.0-198.18.227.255 (the drivers' share of the test
 * subnets; 210 and 211 are the drivers' virtual labs), and a way to run
 * commands inside it. Names carry the caller's prefix and pid so parallel files never collide.
 */
import { execFileSync } from 'node:child_process';

export function canUseNetns(): boolean {
  return process.getuid?.() === 0;
}

export function run(cmd: string, args: string[]): string {
  return execFileSync(cmd, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

export interface TestNs {
  ns: string;
  /** Address of the root namespace end. */
  rootAddr: string;
  /** Address of the namespace end. */
  nsAddr: string;
  remove(): void;
}

/** Creates `<prefix><pid>-<tag>` with one veth to the root namespace. */
export function createTestNs(prefix: string, tag: string, slot: number): TestNs {
  const id = `${prefix}${process.pid}-${tag}`;
  const ns = id;
  const hostIf = `${prefix}${process.pid % 100000}${tag}`.slice(0, 15);
  const third = 212 + (process.pid % 16);
  const base = ((process.pid >> 4) % 16) * 16 + (slot % 4) * 4;
  const rootAddr = `198.18.${third}.${base + 1}`;
  const nsAddr = `198.18.${third}.${base + 2}`;
  const remove = (): void => {
    try {
      run('ip', ['link', 'del', hostIf]);
    } catch {}
    try {
      run('ip', ['netns', 'del', ns]);
    } catch {}
  };
  remove();
  run('ip', ['netns', 'add', ns]);
  run('ip', ['-n', ns, 'link', 'set', 'lo', 'up']);
  run('ip', ['link', 'add', hostIf, 'type', 'veth', 'peer', 'name', 'eth0', 'netns', ns]);
  run('ip', ['addr', 'add', `${rootAddr}/30`, 'dev', hostIf]);
  run('ip', ['link', 'set', hostIf, 'up']);
  run('ip', ['-n', ns, 'addr', 'add', `${nsAddr}/30`, 'dev', 'eth0']);
  run('ip', ['-n', ns, 'link', 'set', 'eth0', 'up']);
  return { ns, rootAddr, nsAddr, remove };
}

/** Polls until `check` resolves truthy or the deadline passes. */
export async function waitFor(
  what: string,
  check: () => Promise<boolean> | boolean,
  timeoutMs = 10_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      if (await check()) return;
    } catch {}
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
