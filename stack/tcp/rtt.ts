/** RFC 6298 retransmission timeout in integer milliseconds (SRTT scaled by 8, RTTVAR by 4). */
import type { Tcb } from './tcb.ts';

export interface RtoBounds {
  rtoMinMs: number;
  rtoMaxMs: number;
}

/** Take one RTT sample (ms) and recompute RTO. */
export function rttSample(tcb: Tcb, rtt: number, b: RtoBounds): void {
  const r = Math.max(1, rtt);
  if (tcb.srtt8 === 0) {
    tcb.srtt8 = r * 8;
    tcb.rttvar4 = r * 2;
  } else {
    const err = r - (tcb.srtt8 >> 3);
    tcb.srtt8 += err;
    tcb.rttvar4 += Math.abs(err) - (tcb.rttvar4 >> 2);
  }
  const rto = (tcb.srtt8 >> 3) + Math.max(1, tcb.rttvar4);
  tcb.rto = Math.min(b.rtoMaxMs, Math.max(b.rtoMinMs, rto));
}

/** Current timeout with exponential backoff (RFC 6298 5.5). */
export function backedOffRto(tcb: Tcb, b: RtoBounds): number {
  return Math.min(b.rtoMaxMs, tcb.rto * 2 ** Math.min(tcb.rtxCount, 16));
}
