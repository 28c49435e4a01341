/** The few `ip link` calls a TAP needs (iproute2); the daemon owns its TAP, so it configures it. */
import { execFileSync } from 'node:child_process';
import { LinkError } from './link.ts';

function ip(args: string[]): void {
  try {
    execFileSync('ip', args, { stdio: ['ignore', 'ignore', 'pipe'] });
  } catch (err) {
    const stderr = String((err as { stderr?: Buffer }).stderr ?? '').trim();
    throw new LinkError(
      'LINK_COMMAND',
      `ip ${args.join(' ')} failed: ${stderr || (err as Error).message}`,
    );
  }
}

export function setLinkUp(name: string): void {
  ip(['link', 'set', 'dev', name, 'up']);
}

/** Join the interface to an existing bridge (`ip link set NAME master BRIDGE`). */
export function setLinkMaster(name: string, bridge: string): void {
  ip(['link', 'set', 'dev', name, 'master', bridge]);
}

export function setLinkMtu(name: string, mtu: number): void {
  ip(['link', 'set', 'dev', name, 'mtu', String(mtu)]);
}
