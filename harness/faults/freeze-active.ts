import { boardFault } from './fault.ts';

/**
 * SIGSTOP the active daemon for hold_ms, then SIGCONT. Longer than the
 * detection time, the standby takes over and the old active must go silent
 * when it wakes (mastership safety); shorter, nothing must change.
 */
export const freezeActive = boardFault({
  kind: 'freeze-active',
  description: "freeze the active board's daemon (SIGSTOP) for hold_ms, then resume it",
  aim: 'active',
  async act(ctx, state, timing) {
    await ctx.signalDaemon(state.target, 'STOP');
    state.frozen.push(state.target);
    await ctx.sleep(timing.hold_ms ?? 500);
    await ctx.signalDaemon(state.target, 'CONT');
    state.frozen = [];
  },
});
