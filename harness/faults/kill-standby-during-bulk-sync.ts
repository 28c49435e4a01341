import { boardFault } from './fault.ts';

/**
 * Restart the standby, then kill it again while it is bulk-syncing: the
 * active must drop the half-synced mate cleanly and sync it from scratch.
 */
export const killStandbyDuringBulkSync = boardFault({
  kind: 'kill-standby-during-bulk-sync',
  description: "kill -9 the standby's daemon in the middle of its bulk sync",
  aim: 'standby',
  async act(ctx, state, timing) {
    await ctx.signalDaemon(state.target, 'KILL');
    await ctx.startDaemon(state.target);
    await ctx.waitSyncing(state.target, timing.boot_timeout_ms);
    await ctx.signalDaemon(state.target, 'KILL');
    state.killed.push(state.target);
  },
});
