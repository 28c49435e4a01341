/**
 * Planned switchover handshake, both sides:
 *
 *   active                                   standby (hot)
 *   request: pause inputs, send prepare  ->
 *   log drained (all confirmed):
 *     silent on the front, send commit(epoch+1), role standby (hot, same state)
 *                                        ->  commit, up to date: become active at epoch+1,
 *                                    <-      send done
 *   done: adopt epoch+1, resume inputs
 *
 * A refusal or a timeout on the way aborts: the old active resumes (it never transmitted in
 * between, so nothing was lost). A standby may ask for a switchover by sending prepare.
 */
import type { HaNode } from './node.ts';
import type { HaAction, HaInput } from './types.ts';

export interface Handover {
  phase: 'draining' | 'handing-over';
  deadline: number;
  /** Epoch when the switchover started; the new master's is higher. */
  fromEpoch: number;
}

type SwitchoverInput = Extract<
  HaInput,
  { kind: 'switchover-request' | 'log-drained' | 'switchover' }
>;

/** Outcomes of planned switchovers this board led (for status and `rpd switchover`). */
export interface HandoverCounts {
  started: number;
  done: number;
  aborted: number;
  lastAbort: string | null;
}

export function switchoverDeadline(node: HaNode): number | undefined {
  return node.handover?.deadline;
}

function startDrain(node: HaNode, now: number, acts: HaAction[]): void {
  if (node.sync !== 'hot' || !node.ipcUp || node.handover) {
    node.log(acts, 'warn', 'switchover refused', {
      sync: node.sync,
      ipcUp: node.ipcUp,
      inProgress: !!node.handover,
    });
    return;
  }
  node.handover = {
    phase: 'draining',
    deadline: now + node.switchoverTimeoutMs,
    fromEpoch: node.epoch,
  };
  node.handovers.started++;
  acts.push({ kind: 'pause-inputs', paused: true });
  acts.push({ kind: 'send-switchover', phase: 'prepare', epoch: node.epoch, reason: 'planned' });
  node.log(acts, 'info', 'switchover: draining');
}

function abort(node: HaNode, now: number, acts: HaAction[], why: string): void {
  const phase = node.handover?.phase;
  node.handover = undefined;
  node.handovers.aborted++;
  node.handovers.lastAbort = why;
  if (phase === 'handing-over') node.becomeActive(acts, 'switchover-aborted', node.epoch, now);
  acts.push({ kind: 'pause-inputs', paused: false });
  node.log(acts, 'warn', 'switchover aborted', { why });
}

export function handleSwitchover(node: HaNode, input: SwitchoverInput, acts: HaAction[]): void {
  const now = input.now;
  if (input.kind === 'switchover-request') {
    if (node.role === 'active') startDrain(node, now, acts);
    else if (node.role === 'standby' && node.sync === 'hot' && node.ipcUp) {
      acts.push({
        kind: 'send-switchover',
        phase: 'prepare',
        epoch: node.epoch,
        reason: 'requested by standby',
      });
    } else node.log(acts, 'warn', 'switchover refused', { role: node.role, sync: node.sync });
    return;
  }
  if (input.kind === 'log-drained') {
    if (node.role !== 'active' || node.handover?.phase !== 'draining') return;
    node.handover = {
      phase: 'handing-over',
      deadline: now + node.switchoverTimeoutMs,
      fromEpoch: node.epoch,
    };
    acts.push({
      kind: 'send-switchover',
      phase: 'commit',
      epoch: node.epoch + 1,
      reason: 'planned',
    });
    node.becomeStandby(acts, 'switchover', node.epoch);
    return;
  }
  switch (input.phase) {
    case 'prepare':
      // A prepare from an older term (sent by the board that was active then) asks nothing of
      // this term's master: acting on it would hand mastership straight back.
      if (input.epoch < node.epoch) {
        node.log(acts, 'warn', 'switchover prepare from an older epoch ignored', {
          epoch: input.epoch,
        });
        return;
      }
      if (node.role === 'active' && !node.handover) startDrain(node, now, acts);
      else if (node.role === 'standby' && node.sync !== 'hot') {
        acts.push({
          kind: 'send-switchover',
          phase: 'refuse',
          epoch: node.epoch,
          reason: `standby ${node.sync}`,
        });
      }
      return;
    case 'commit':
      if (
        node.role === 'standby' &&
        node.sync === 'hot' &&
        input.upToDate === true &&
        input.epoch > node.epoch
      ) {
        node.becomeActive(acts, 'switchover', input.epoch, now);
        acts.push({
          kind: 'send-switchover',
          phase: 'done',
          epoch: input.epoch,
          reason: 'planned',
        });
      } else {
        const why =
          input.upToDate === false ? 'not up to date' : `role ${node.role}, sync ${node.sync}`;
        acts.push({ kind: 'send-switchover', phase: 'refuse', epoch: node.epoch, reason: why });
      }
      return;
    case 'refuse':
      if (node.handover) abort(node, now, acts, 'mate refused');
      return;
    case 'done':
      if (node.handover?.phase === 'handing-over' && input.epoch > node.handover.fromEpoch) {
        node.epoch = Math.max(node.epoch, input.epoch);
        node.handover = undefined;
        node.handovers.done++;
        acts.push({ kind: 'pause-inputs', paused: false });
        node.log(acts, 'info', 'switchover done');
      }
      return;
  }
}

/** Deadlines and the new master's heartbeat during a hand-over (called on every input). */
export function checkHandover(node: HaNode, now: number, acts: HaAction[]): void {
  const h = node.handover;
  if (!h) return;
  const mate = node.detector.mate(now);
  if (h.phase === 'handing-over' && mate?.role === 'active' && mate.epoch > h.fromEpoch) {
    node.epoch = Math.max(node.epoch, mate.epoch);
    node.handover = undefined;
    node.handovers.done++;
    acts.push({ kind: 'pause-inputs', paused: false });
    node.log(acts, 'info', 'switchover done (seen in heartbeat)');
  } else if (now >= h.deadline) abort(node, now, acts, 'timeout');
}
