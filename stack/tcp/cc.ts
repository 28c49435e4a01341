/**
 * Congestion control behind a small interface; NewReno (RFC 5681, RFC 6582) is the one we ship.
 * State lives in the TCB (cwnd, ssthresh, bytesAcked, dupAcks, inRecovery, recover) so it
 * serialises with the connection.
 */
import { seqDiff, seqGe } from './seq.ts';
import type { Tcb } from './tcb.ts';

export interface CongestionControl {
  /** Initial window in bytes once the MSS is known. */
  init(tcb: Tcb, initialWindow: number): void;
  /** A new cumulative ACK covered `acked` bytes. Returns true to retransmit SND.UNA (partial ACK). */
  onAck(tcb: Tcb, acked: number, ack: number): boolean;
  /** A duplicate ACK. Returns true when SND.UNA must be retransmitted now (fast retransmit). */
  onDupAck(tcb: Tcb): boolean;
  /** Retransmission timeout. */
  onRto(tcb: Tcb): void;
}

function flight(tcb: Tcb): number {
  return seqDiff(tcb.sndMax, tcb.sndUna);
}

export const newReno: CongestionControl = {
  init(tcb, initialWindow) {
    tcb.cwnd = initialWindow * tcb.mss;
    tcb.ssthresh = 0x3fffffff;
  },

  onAck(tcb, acked, ack) {
    tcb.dupAcks = 0;
    if (tcb.inRecovery) {
      if (seqGe(ack, tcb.recover)) {
        // Full acknowledgment: deflate (RFC 6582 3.2 step 3, option 1).
        tcb.inRecovery = false;
        tcb.cwnd = Math.min(tcb.ssthresh, Math.max(flight(tcb), tcb.mss) + tcb.mss);
        tcb.bytesAcked = 0;
        return false;
      }
      // Partial acknowledgment: retransmit the next hole, deflate by the amount acked.
      tcb.cwnd = Math.max(tcb.mss, tcb.cwnd - acked + (acked >= tcb.mss ? tcb.mss : 0));
      return true;
    }
    if (tcb.cwnd < tcb.ssthresh) {
      tcb.cwnd += Math.min(acked, tcb.mss);
    } else {
      tcb.bytesAcked += acked;
      if (tcb.bytesAcked >= tcb.cwnd) {
        tcb.bytesAcked -= tcb.cwnd;
        tcb.cwnd += tcb.mss;
      }
    }
    tcb.cwnd = Math.min(tcb.cwnd, 0x3fffffff);
    return false;
  },

  onDupAck(tcb) {
    tcb.dupAcks++;
    if (tcb.inRecovery) {
      tcb.cwnd += tcb.mss;
      return false;
    }
    if (tcb.dupAcks === 3 && seqDiff(tcb.sndUna, tcb.recover) >= 0) {
      tcb.ssthresh = Math.max(Math.floor(flight(tcb) / 2), 2 * tcb.mss);
      tcb.cwnd = tcb.ssthresh + 3 * tcb.mss;
      tcb.recover = tcb.sndMax;
      tcb.inRecovery = true;
      return true;
    }
    return false;
  },

  onRto(tcb) {
    if (tcb.rtxCount === 0) tcb.ssthresh = Math.max(Math.floor(flight(tcb) / 2), 2 * tcb.mss);
    tcb.cwnd = tcb.mss;
    tcb.bytesAcked = 0;
    tcb.dupAcks = 0;
    tcb.inRecovery = false;
    tcb.recover = tcb.sndMax;
  },
};
