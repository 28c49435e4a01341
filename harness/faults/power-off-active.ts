import { boardFault } from './fault.ts';

/** Cut the active board's power: the standby must take over every connection. */
export const powerOffActive = boardFault({
  kind: 'power-off-active',
  description: "cut the active board's power at the PDU; heal: power on, wait for hot",
  aim: 'active',
  takeover: true,
  async act(ctx, state) {
    await ctx.power(state.target, 'off');
    state.poweredOff.push(state.target);
  },
});
