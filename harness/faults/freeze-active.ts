import { emptyState, type Fault, requireActive, restoreAll } from './fault.ts';

/**
 * SIGSTOP the active daemon for hold_ms, then SIGCONT. Longer than the
 * detection time, the standby takes over and the old active must go silent
 * when it wakes (mastership safety); shorter, nothing must change.
 */
export const freezeActive: Fault = {
  kind: 'freeze-active',
  description: "freeze the active board's daemon (SIGSTOP) for hold_ms, then resume it",
  expected: 'no-drop',
  async inject(ctx, timing) {
    const active = await requireActive(ctx);
    const state = emptyState(active, active);
    await ctx.signalDaemon(active, 'STOP');
    state.frozen.push(active);
    await ctx.sleep(timing.hold_ms ?? 500);
    await ctx.signalDaemon(active, 'CONT');
    state.frozen = [];
    return state;
  },
  async heal(ctx, state, timing) {
    await restoreAll(ctx, state, timing);
  },
};
