import { boardFault, pullCable } from './fault.ts';

const DEFAULT_HOLD_MS = 2000;

/**
 * Pull the active board's front cable: the peers lose it, the standby sees
 * it on IPC only. The chassis must hand over to the board that still reaches
 * the LAN (the active sees its carrier go, its standby's is up) within the
 * plan's stall budget, without any peer seeing a drop.
 */
export const pullFrontCableActive = boardFault({
  kind: 'pull-front-cable-active',
  description: "pull the active board's front cable for hold_ms, then replug it",
  aim: 'active',
  act: (ctx, state, timing) => pullCable(ctx, state, 'front', timing.hold_ms ?? DEFAULT_HOLD_MS),
});
