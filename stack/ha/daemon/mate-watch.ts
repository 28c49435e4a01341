/**
 * The daemon's detection event: when the mate falls silent on both heartbeat paths, one
 * `mate-dead` log line with the wall-clock time it was last heard (so a campaign can measure
 * the detection time from the fault to it), and when it is heard again, `mate-alive`.
 */
import type { Logger } from '../../rpd/log.ts';
import type { HaNode } from '../roles/node.ts';

export function mateWatch(node: HaNode, clock: () => number, log: Logger): (now: number) => void {
  let alive = false;
  return (now) => {
    const { ipc, lan } = node.paths(now);
    const nowAlive = ipc.alive || lan.alive;
    if (nowAlive === alive) return;
    alive = nowAlive;
    if (nowAlive) {
      log('info', 'mate-alive', { role: node.role, epoch: node.epoch });
      return;
    }
    const heard = Math.max(
      ipc.lastHeard ?? Number.NEGATIVE_INFINITY,
      lan.lastHeard ?? Number.NEGATIVE_INFINITY,
    );
    if (!Number.isFinite(heard)) return;
    const wallNow = Date.now();
    log('warn', 'mate-dead', {
      role: node.role,
      epoch: node.epoch,
      sync: node.sync,
      lastHeard: new Date(wallNow - (clock() - heard)).toISOString(),
      silentMs: now - heard,
      ...(node.mateExit.suspectedSince !== undefined ? { ipcClosedByMate: true } : {}),
    });
  };
}
