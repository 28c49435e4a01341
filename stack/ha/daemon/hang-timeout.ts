/**
 * How long the daemon's event loop may go without running before its heartbeat thread takes
 * it for wedged and stops the heartbeats (so the mate takes over): `ha.heartbeat.hang_ms`,
 * default 500 ms, or 3 × interval_ms if that is longer.
 */
import type { RpdConfig } from '../../rpd/config.ts';

export const DEFAULT_HANG_MS = 500;

export function hangTimeoutMs(ha: NonNullable<RpdConfig['ha']>): number {
  return ha.heartbeat.hang_ms ?? Math.max(DEFAULT_HANG_MS, 3 * ha.heartbeat.interval_ms);
}
