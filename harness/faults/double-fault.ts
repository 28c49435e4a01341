import { boardFault, pullCable } from './fault.ts';

/**
 * IPC pulled, then the active's power cut: the standby is no longer in sync
 * and cannot carry the connections. A drop is the expected outcome and the
 * campaign reports it as expected-degraded, never as a silent pass.
 */
export const doubleFault = boardFault({
  kind: 'double-fault',
  description: "pull the IPC cable, then cut the active board's power",
  expected: 'degraded',
  aim: 'active',
  async act(ctx, state, timing) {
    // Let the standby notice it is disconnected, then cut the active.
    await pullCable(ctx, state, 'ipc', timing.hold_ms ?? 500);
    await ctx.power(state.target, 'off');
    state.poweredOff.push(state.target);
  },
});
