import { emptyState, type Fault, requireActive, restoreAll } from './fault.ts';

/**
 * IPC pulled, then the active's power cut: the standby is no longer in sync
 * and cannot carry the connections. A drop is the expected outcome and the
 * campaign reports it as expected-degraded, never as a silent pass.
 */
export const doubleFault: Fault = {
  kind: 'double-fault',
  description: "pull the IPC cable, then cut the active board's power",
  expected: 'degraded',
  async inject(ctx, timing) {
    const active = await requireActive(ctx);
    const state = emptyState(active, active);
    const cable = ctx.cables(active).ipc;
    await ctx.link(cable, 'down');
    state.cablesDown.push(cable);
    // Let the standby notice it is disconnected, then cut the active.
    await ctx.sleep(timing.hold_ms ?? 500);
    await ctx.power(active, 'off');
    state.poweredOff.push(active);
    return state;
  },
  async heal(ctx, state, timing) {
    await restoreAll(ctx, state, timing);
  },
};
