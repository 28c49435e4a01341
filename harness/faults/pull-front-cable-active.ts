import { boardFault, pullCable } from './fault.ts';

/**
 * Pull the active board's front cable: the peers lose it, the standby sees
 * it on IPC only. The chassis must fail over to the board that still reaches
 * the LAN (or hold on until the cable returns) without any peer seeing a drop.
 */
export const pullFrontCableActive = boardFault({
  kind: 'pull-front-cable-active',
  description: "pull the active board's front cable for hold_ms, then replug it",
  aim: 'active',
  act: (ctx, state, timing) => pullCable(ctx, state, 'front', timing.hold_ms ?? 2000),
});
