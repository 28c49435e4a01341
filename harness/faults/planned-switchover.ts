import { emptyState, type Fault, requireActive, restoreAll } from './fault.ts';

/** An operator's planned switchover: graceful, nothing may be lost. */
export const plannedSwitchover: Fault = {
  kind: 'planned-switchover',
  description: 'hitless rpd switchover on the active board',
  expected: 'no-drop',
  async inject(ctx, timing) {
    const active = await requireActive(ctx);
    const state = emptyState(active, active);
    await ctx.switchover(active);
    await ctx.waitTakeover(active, timing.hot_timeout_ms);
    return state;
  },
  async heal(ctx, state, timing) {
    await restoreAll(ctx, state, timing);
  },
};
