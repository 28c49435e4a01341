import { emptyState, type Fault, requireStandby, restoreAll } from './fault.ts';

/** Reboot the standby: the active carries on alone, then bulk-syncs it back to hot. */
export const rebootStandby: Fault = {
  kind: 'reboot-standby',
  description: 'power-cycle the standby board; the active must not notice, resync to hot',
  expected: 'no-drop',
  async inject(ctx, timing) {
    const standby = await requireStandby(ctx);
    const { active } = await ctx.roles();
    const state = emptyState(standby, active);
    await ctx.power(standby, 'off');
    state.poweredOff.push(standby);
    await ctx.sleep(timing.hold_ms ?? 1000);
    return state;
  },
  async heal(ctx, state, timing) {
    await restoreAll(ctx, state, timing);
  },
};
