import { emptyState, type Fault, requireActive, restoreAll } from './fault.ts';

/** Cut the active board's power: the standby must take over every connection. */
export const powerOffActive: Fault = {
  kind: 'power-off-active',
  description: "cut the active board's power at the PDU; heal: power on, wait for hot",
  expected: 'no-drop',
  async inject(ctx) {
    const active = await requireActive(ctx);
    const state = emptyState(active, active);
    await ctx.power(active, 'off');
    state.poweredOff.push(active);
    return state;
  },
  async heal(ctx, state, timing) {
    await ctx.waitTakeover(state.target, timing.hot_timeout_ms);
    await restoreAll(ctx, state, timing);
  },
};
