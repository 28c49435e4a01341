import { boardFault } from './fault.ts';

/** Power-cycle the active board: off, a short pause, on; it rejoins as standby. */
export const powerCycleActive = boardFault({
  kind: 'power-cycle-active',
  description: 'power-cycle the active board; it must boot as standby and become hot',
  aim: 'active',
  async act(ctx, state, timing) {
    await ctx.power(state.target, 'off');
    state.poweredOff.push(state.target);
    await ctx.waitTakeover(state.target, timing.hot_timeout_ms);
    await ctx.sleep(timing.hold_ms ?? 1000);
  },
});
