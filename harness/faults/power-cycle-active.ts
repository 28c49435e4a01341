import { emptyState, type Fault, requireActive, restoreAll } from './fault.ts';

/** Power-cycle the active board: off, a short pause, on; it rejoins as standby. */
export const powerCycleActive: Fault = {
  kind: 'power-cycle-active',
  description: 'power-cycle the active board; it must boot as standby and become hot',
  expected: 'no-drop',
  async inject(ctx, timing) {
    const active = await requireActive(ctx);
    const state = emptyState(active, active);
    await ctx.power(active, 'off');
    state.poweredOff.push(active);
    await ctx.waitTakeover(active, timing.hot_timeout_ms);
    await ctx.sleep(timing.hold_ms ?? 1000);
    return state;
  },
  async heal(ctx, state, timing) {
    await restoreAll(ctx, state, timing);
  },
};
