import { boardFault } from './fault.ts';

/** An operator's planned switchover: graceful, nothing may be lost. */
export const plannedSwitchover = boardFault({
  kind: 'planned-switchover',
  description: 'hitless rpd switchover on the active board',
  aim: 'active',
  async act(ctx, state, timing) {
    await ctx.switchover(state.target);
    await ctx.waitTakeover(state.target, timing.hot_timeout_ms);
  },
});
