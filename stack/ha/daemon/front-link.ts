/**
 * The daemon's view of its front link for the role machine (roles/front-failover.ts): the
 * carrier of the front bridge's other ports, read once per heartbeat interval at most, told
 * only when it changes. A front without a bridge has nothing to judge: always up.
 */

import { bridgeCarrier, type CarrierReader } from '../../link/bridge-carrier.ts';
import type { RpdConfig } from '../../rpd/config.ts';

/** Returns a poll: the new state when it changed since the last poll, else undefined. */
export function frontLinkWatch(
  cfg: RpdConfig,
  tapName: string,
  intervalMs: number,
  read: CarrierReader | undefined = cfg.front.bridge
    ? bridgeCarrier(cfg.front.bridge, tapName)
    : undefined,
): (now: number) => boolean | undefined {
  let up = true;
  let nextAt = Number.NEGATIVE_INFINITY;
  return (now) => {
    if (!read || now < nextAt) return undefined;
    nextAt = now + intervalMs;
    const nowUp = read() !== false;
    if (nowUp === up) return undefined;
    up = nowUp;
    return up;
  };
}
