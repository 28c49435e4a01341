import { emptyState, type Fault, requireActive, restoreAll } from './fault.ts';

/**
 * Pull the IPC cable for hold_ms: the standby becomes disconnected but must
 * not take over (the active still answers on the LAN); replugged, it resyncs.
 */
export const pullIpcCable: Fault = {
  kind: 'pull-ipc-cable',
  description: 'pull the IPC cable for hold_ms; no takeover, then bulk resync to hot',
  expected: 'no-drop',
  async inject(ctx, timing) {
    const active = await requireActive(ctx);
    const state = emptyState(active, active);
    const cable = ctx.cables(active).ipc;
    await ctx.link(cable, 'down');
    state.cablesDown.push(cable);
    await ctx.sleep(timing.hold_ms ?? 2000);
    return state;
  },
  async heal(ctx, state, timing) {
    await restoreAll(ctx, state, timing);
  },
};
