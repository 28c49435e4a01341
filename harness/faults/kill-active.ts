import { emptyState, type Fault, requireActive, restoreAll } from './fault.ts';

/** `kill -9` of the active board's stack daemon: a crash with the board still up. */
export const killActive: Fault = {
  kind: 'kill-active',
  description: "kill -9 the active board's stack daemon; heal: restart it, wait for hot",
  expected: 'no-drop',
  async inject(ctx) {
    const active = await requireActive(ctx);
    const state = emptyState(active, active);
    await ctx.signalDaemon(active, 'KILL');
    state.killed.push(active);
    return state;
  },
  async heal(ctx, state, timing) {
    await ctx.waitTakeover(state.target, timing.hot_timeout_ms);
    await restoreAll(ctx, state, timing);
  },
};
