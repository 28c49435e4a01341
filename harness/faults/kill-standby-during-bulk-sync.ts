import { boardFault, FaultError } from './fault.ts';

const ATTEMPTS = 3;

/**
 * Kill the standby, restart it, and kill it again while it is bulk-syncing:
 * the active must drop the half-synced mate cleanly and sync it from scratch.
 * A bulk sync of a few connections lasts milliseconds; when the kill lands
 * after the standby turned hot, the fault tries again, and says so if it
 * never hits the window.
 */
export const killStandbyDuringBulkSync = boardFault({
  kind: 'kill-standby-during-bulk-sync',
  description: "kill -9 the standby's daemon in the middle of its bulk sync",
  aim: 'standby',
  async act(ctx, state, timing) {
    await ctx.signalDaemon(state.target, 'KILL');
    state.killed.push(state.target);
    for (let attempt = 1; ; attempt++) {
      const outcome = await ctx.startAndKillInBulkSync(state.target, timing.boot_timeout_ms);
      if (outcome === 'in-sync') return;
      if (attempt === ATTEMPTS)
        throw new FaultError(
          `the standby turned hot before the kill landed, ${ATTEMPTS} times: its bulk sync was over too soon to hit`,
        );
    }
  },
});
