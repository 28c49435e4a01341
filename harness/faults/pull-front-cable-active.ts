import { emptyState, type Fault, requireActive, restoreAll } from './fault.ts';

/**
 * Pull the active board's front cable: the peers lose it, the standby sees
 * it on IPC only. The chassis must fail over to the board that still reaches
 * the LAN (or hold on until the cable returns) without any peer seeing a drop.
 */
export const pullFrontCableActive: Fault = {
  kind: 'pull-front-cable-active',
  description: "pull the active board's front cable for hold_ms, then replug it",
  expected: 'no-drop',
  async inject(ctx, timing) {
    const active = await requireActive(ctx);
    const state = emptyState(active, active);
    const cable = ctx.cables(active).front;
    await ctx.link(cable, 'down');
    state.cablesDown.push(cable);
    await ctx.sleep(timing.hold_ms ?? 2000);
    return state;
  },
  async heal(ctx, state, timing) {
    await restoreAll(ctx, state, timing);
  },
};
