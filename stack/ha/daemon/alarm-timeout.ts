/**
 * How long an active that lost IPC alone keeps holding output for confirmations. The peers
 * stall for detection + this; the standby's right to take over after losing IPC lasts as long
 * (roles/takeover-rule.ts), so a shorter hold is as safe, only a narrower window.
 */
import type { RpdConfig } from '../../rpd/config.ts';

export function alarmTimeoutMs(ha: NonNullable<RpdConfig['ha']>): number {
  return ha.alarm_timeout_ms ?? 2 * ha.heartbeat.interval_ms * ha.heartbeat.misses;
}
