/**
 * An active whose front link lost its carrier (its cable is out, its switch port is down)
 * while the hot standby's link is up hands the chassis address over: a planned switchover, so
 * nothing is lost, and the peers, cut off from this board, reach the other one. Both links
 * down, a standby that is not hot or does not tell its link state: this board holds on and the
 * peers wait for the cable.
 */
import type { HaNode } from './node.ts';
import { handleSwitchover } from './switchover.ts';
import type { HaAction } from './types.ts';

/** How long the carrier must stay off before handing over (a reseated cable flaps). */
export function frontFailoverMs(intervalMs: number): number {
  return Math.max(20, 2 * intervalMs);
}

/** When the next hand-over attempt is due, for the caller's timer (undefined: none). */
export function frontFailoverDeadline(node: HaNode): number | undefined {
  if (node.role !== 'active' || node.frontDownSince === undefined) return undefined;
  return Math.max(node.frontDownSince + node.frontFailoverMs, node.frontRetryAt);
}

export function frontFailover(node: HaNode, now: number, acts: HaAction[]): void {
  const due = frontFailoverDeadline(node);
  if (due === undefined || now < due || node.handover) return;
  const mate = node.detector.mate(now);
  // The mate must tell its own link is up (a board that does not tell is not handed over to).
  if (mate?.role !== 'standby' || mate.frontDown !== false) return;
  if (node.sync !== 'hot' || !node.ipcUp) return;
  // One attempt per detection time while it lasts (an aborted switchover is tried again).
  node.frontRetryAt = now + node.detectionMs;
  node.log(acts, 'warn', 'handing over: front link down', {
    downMs: now - node.frontDownSince!,
  });
  handleSwitchover(node, { kind: 'switchover-request', now }, acts);
}
