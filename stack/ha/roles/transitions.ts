/**
 * The role machine's time-driven transitions, evaluated after every input: the end of the
 * boot election, an active losing its mate (both paths) or IPC alone (alarm), a standby
 * taking over or going `disconnected`, and the reset of an IPC session whose path fell silent.
 */
import type { HaNode } from './node.ts';
import { mayTakeOver } from './takeover-rule.ts';
import type { HaAction } from './types.ts';

export function evaluateTransitions(node: HaNode, now: number, acts: HaAction[]): void {
  const { ipc, lan } = node.paths(now);
  const mateAlive = ipc.alive || lan.alive;
  if (node.role === 'booting') {
    if (now < node.bootDeadline) return;
    const mate = node.detector.mate(now);
    if (mate?.role === 'booting' && mate.slot < node.cfg.slot) return; // the lower slot goes first
    const seen = node.detector.lastHeartbeat?.epoch ?? 0;
    node.becomeActive(acts, 'election', Math.max(node.epoch, seen) + 1, now);
    return;
  }
  if (node.probationUntil !== undefined && now >= node.probationUntil)
    node.probationUntil = undefined;
  const ipcLost = !ipc.alive && node.detector.lastHeartbeat !== undefined;
  if (node.role === 'active') {
    if (!mateAlive && node.sync !== 'cold') {
      node.sync = 'cold';
      node.log(acts, 'warn', 'mate lost on both paths');
    }
    if (ipcLost && lan.alive && node.alarm === null) {
      node.alarm = 'ipc lost';
      node.alarmSince = now;
      node.alarmWasHot = node.sync === 'hot';
      if (node.sync !== 'cold') node.sync = 'disconnected';
      acts.push({ kind: 'alarm', raised: true, reason: 'ipc lost, mate alive on the LAN' });
    } else if (node.alarm !== null && (ipc.alive || !mateAlive)) {
      node.alarm = null;
      acts.push({ kind: 'alarm', raised: false, reason: ipc.alive ? 'ipc back' : 'mate lost' });
    }
  } else if (node.role === 'standby') {
    const probation = node.probationUntil !== undefined;
    if (!mateAlive && node.detector.lastHeartbeat !== undefined && !node.handover && !probation) {
      const rule = {
        sync: node.sync,
        disconnectedFromHot: node.disconnectedFromHot,
        alarmTimeoutMs: node.alarmTimeoutMs,
      };
      if (mayTakeOver(rule, node.lastCurrentOverIpc, lan.lastHeard)) {
        node.becomeActive(acts, 'takeover', node.epoch + 1, now);
        return;
      }
      if (!node.noTakeoverLogged) {
        node.noTakeoverLogged = true;
        node.log(acts, 'error', 'mate lost but this standby is not hot: no takeover', {
          sync: node.sync,
        });
      }
    } else if (ipcLost && lan.alive && node.sync !== 'disconnected') {
      node.disconnectedFromHot = node.sync === 'hot';
      node.sync = 'disconnected';
      node.log(acts, 'warn', 'ipc lost: disconnected');
    } else if (node.sync === 'disconnected' && ipc.alive && node.ipcUp && !node.bulkRequested) {
      // IPC is back without a reconnect: records were missed meanwhile, so bulk-sync again.
      node.sendHello(acts, true);
    }
  }
  if (ipcLost && node.ipcUp && !node.ipcLossHandled) {
    node.ipcLossHandled = true;
    acts.push({ kind: 'ipc-reset', reason: 'ipc heartbeats silent' });
  }
}
