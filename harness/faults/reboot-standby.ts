import { boardFault } from './fault.ts';

/** Reboot the standby: the active carries on alone, then bulk-syncs it back to hot. */
export const rebootStandby = boardFault({
  kind: 'reboot-standby',
  description: 'power-cycle the standby board; the active must not notice, resync to hot',
  aim: 'standby',
  async act(ctx, state, timing) {
    await ctx.power(state.target, 'off');
    state.poweredOff.push(state.target);
    await ctx.sleep(timing.hold_ms ?? 1000);
  },
});
