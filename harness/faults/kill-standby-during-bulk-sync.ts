import { emptyState, type Fault, requireStandby, restoreAll } from './fault.ts';

/**
 * Restart the standby, then kill it again while it is bulk-syncing: the
 * active must drop the half-synced mate cleanly and sync it from scratch.
 */
export const killStandbyDuringBulkSync: Fault = {
  kind: 'kill-standby-during-bulk-sync',
  description: "kill -9 the standby's daemon in the middle of its bulk sync",
  expected: 'no-drop',
  async inject(ctx, timing) {
    const standby = await requireStandby(ctx);
    const { active } = await ctx.roles();
    const state = emptyState(standby, active);
    await ctx.signalDaemon(standby, 'KILL');
    await ctx.startDaemon(standby);
    await ctx.waitSyncing(standby, timing.boot_timeout_ms);
    await ctx.signalDaemon(standby, 'KILL');
    state.killed.push(standby);
    return state;
  },
  async heal(ctx, state, timing) {
    await restoreAll(ctx, state, timing);
  },
};
