import { boardFault } from './fault.ts';

/** `kill -9` of the active board's stack daemon: a crash with the board still up. */
export const killActive = boardFault({
  kind: 'kill-active',
  description: "kill -9 the active board's stack daemon; heal: restart it, wait for hot",
  aim: 'active',
  takeover: true,
  async act(ctx, state) {
    await ctx.signalDaemon(state.target, 'KILL');
    state.killed.push(state.target);
  },
});
