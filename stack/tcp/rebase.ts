/** Moving a TCB onto another clock: new clock = old clock + delta. */
import type { Tcb } from './tcb.ts';

const DEADLINES = [
  'rtxDeadline',
  'persistDeadline',
  'ackDeadline',
  'keepaliveDeadline',
  'timeWaitDeadline',
] as const;

export function rebaseTcb(tcb: Tcb, deltaMs: number): void {
  const d = Math.trunc(deltaMs);
  for (const k of DEADLINES) if (tcb[k] >= 0) tcb[k] += d;
  tcb.rttTime += d;
  tcb.rtxStart += d;
  tcb.lastRecvTime += d;
  if (tcb.lastOowAckTime >= 0) tcb.lastOowAckTime += d;
  // TSval = now + tsOffset must continue from where it was, so the peer's PAWS never drops us.
  tcb.tsOffset = (tcb.tsOffset - d) >>> 0;
}
