/** The role machine's view for `hitless rpd status`. */
import type { HaNode } from './node.ts';
import type { HaStatus } from './types.ts';

export function nodeStatus(node: HaNode, now: number): HaStatus {
  const mate = node.detector.mate(now);
  return {
    slot: node.cfg.slot,
    role: node.role,
    sync: node.sync,
    epoch: node.epoch,
    front: node.front,
    frontLink: node.frontLinkUp ? 'up' : 'down',
    commitWait: node.commitWait,
    alarm: node.alarm,
    mate: {
      ipc: node.detector.path('ipc', now).alive,
      lan: node.detector.path('lan', now).alive,
      role: mate?.role ?? null,
      epoch: mate?.epoch ?? null,
      frontLink: mate?.frontDown === undefined ? null : mate.frontDown ? 'down' : 'up',
    },
    lastSwitchover: node.lastSwitchover,
    switchoverInProgress: node.handover !== undefined,
    switchovers: { ...node.handovers },
  };
}
