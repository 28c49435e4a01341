import { boardFault, pullCable } from './fault.ts';

const DEFAULT_HOLD_MS = 2000;

/**
 * Pull the active board's front cable: the peers lose it, the standby sees
 * it on IPC only. The chassis must fail over to the board that still reaches
 * the LAN (or hold on until the cable returns) without any peer seeing a drop.
 * Holding on, the peers get no answer for the whole hold: that outage is part
 * of the expected stall (harness/runner/stall-limit.ts).
 */
export const pullFrontCableActive = boardFault({
  kind: 'pull-front-cable-active',
  description: "pull the active board's front cable for hold_ms, then replug it",
  aim: 'active',
  outageMs: (timing) => timing.hold_ms ?? DEFAULT_HOLD_MS,
  act: (ctx, state, timing) => pullCable(ctx, state, 'front', timing.hold_ms ?? DEFAULT_HOLD_MS),
});
