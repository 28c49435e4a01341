/** The few iproute2 calls a TAP needs; the daemon owns its TAP, so it configures it. */
import { execFileSync } from 'node:child_process';
import { LinkError } from './link.ts';

function run(command: 'ip' | 'bridge', args: string[]): void {
  try {
    execFileSync(command, args, { stdio: ['ignore', 'ignore', 'pipe'] });
  } catch (err) {
    const stderr = String((err as { stderr?: Buffer }).stderr ?? '').trim();
    throw new LinkError(
      'LINK_COMMAND',
      `${command} ${args.join(' ')} failed: ${stderr || (err as Error).message}`,
    );
  }
}

const ip = (args: string[]): void => run('ip', args);

export function setLinkUp(name: string): void {
  ip(['link', 'set', 'dev', name, 'up']);
}

/** Join the interface to an existing bridge (`ip link set NAME master BRIDGE`). */
export function setLinkMaster(name: string, bridge: string): void {
  ip(['link', 'set', 'dev', name, 'master', bridge]);
}

/**
 * Tell the bridge that `mac` lives behind this port for good (a static FDB entry), so frames
 * for it are never sent back out of the port they came in on, whatever source MACs the bridge
 * has seen there. Gone with the port.
 */
export function pinBridgeMac(name: string, mac: string): void {
  run('bridge', ['fdb', 'replace', mac, 'dev', name, 'master', 'static']);
}

export function setLinkMtu(name: string, mtu: number): void {
  ip(['link', 'set', 'dev', name, 'mtu', String(mtu)]);
}
