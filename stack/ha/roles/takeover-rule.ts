/**
 * When a standby whose mate fell silent on both paths may take over: when hot, or when it lost
 * IPC while hot and the LAN fell silent before the active's alarm timeout ran out (until then
 * the active held every output for a confirmation this board would have given, so the peers
 * saw nothing the standby lacks). A standby that was never hot, or disconnected for longer,
 * never takes over.
 */
import type { SyncState } from '../ipc/records.ts';

export interface TakeoverRuleInput {
  sync: SyncState;
  /** The standby was hot when IPC went silent. */
  disconnectedFromHot: boolean;
  alarmTimeoutMs: number;
}

export function mayTakeOver(
  s: TakeoverRuleInput,
  ipcLastHeard: number | undefined,
  lanLastHeard: number | undefined,
): boolean {
  if (s.sync === 'hot') return true;
  if (s.sync !== 'disconnected' || !s.disconnectedFromHot) return false;
  if (ipcLastHeard === undefined || lanLastHeard === undefined) return false;
  return lanLastHeard - ipcLastHeard < s.alarmTimeoutMs;
}
