/**
 * Which connections are SSO, from the daemon's app config: every connection of an app with
 * `sso: true` (accepted on its port, or opened to its `connect` target); the stream app's output
 * is regenerable from offsets.
 */
import { type AppSpec, parseAddrPort } from '../../apps/config.ts';
import { parseIpv4 } from '../../wire/address.ts';
import type { SsoAttributes } from '../replication/replicator.ts';

export interface SsoPolicy {
  listen: Map<number, SsoAttributes>;
  /** Key `${remoteAddr}:${remotePort}` (address as an unsigned integer). */
  connect: Map<string, SsoAttributes>;
}

export function ssoPolicy(apps: readonly AppSpec[]): SsoPolicy {
  const policy: SsoPolicy = { listen: new Map(), connect: new Map() };
  for (const a of apps) {
    if (!a.sso) continue;
    const attrs: SsoAttributes = { regenerable: a.kind === 'stream' };
    if (a.port !== undefined) policy.listen.set(a.port, attrs);
    if (a.connect !== undefined) {
      const target = parseAddrPort(a.connect);
      policy.connect.set(connectKey(parseIpv4(target.host), target.port), attrs);
    }
  }
  return policy;
}

export function connectKey(remoteAddr: number, remotePort: number): string {
  return `${remoteAddr >>> 0}:${remotePort}`;
}
