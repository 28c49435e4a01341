/**
 * One direction of a connection (a sender and what its receiver said about
 * it), in absolute stream offsets from the sender's initial sequence number,
 * so nothing below needs to care about wraparound.
 */
import { Coverage } from './coverage.ts';
import { PayloadWindow } from './payload-window.ts';
import { seqAt, unwrapSeq } from './seq.ts';

/** Unacknowledged first copies kept per direction for comparison with retransmissions. */
export const PAYLOAD_BUDGET = 16 << 20;

export interface DirectionCounts {
  segments: number;
  payloadBytes: number;
  syn: number;
  fin: number;
  rst: number;
  retransmissions: number;
  fastRetransmissions: number;
  timeoutRetransmissions: number;
  spuriousRetransmissions: number;
  /** Frames advertising a zero window (SYN, FIN and RST excluded, as Wireshark counts them). */
  zeroWindows: number;
  keepAlives: number;
  zeroWindowProbes: number;
}

export function emptyCounts(): DirectionCounts {
  return {
    segments: 0,
    payloadBytes: 0,
    syn: 0,
    fin: 0,
    rst: 0,
    retransmissions: 0,
    fastRetransmissions: 0,
    timeoutRetransmissions: 0,
    spuriousRetransmissions: 0,
    zeroWindows: 0,
    keepAlives: 0,
    zeroWindowProbes: 0,
  };
}

export class Direction {
  started = false;
  /** The SYN of this direction was captured (ISN known, not guessed). */
  synSeen = false;
  isn = 0;
  /** Window scale this sender announced in its SYN. */
  wscale: number | undefined;
  /** Highest sequence offset sent so far (end of data, SYN and FIN included). */
  nxt = 0;
  nxtFrame = 0;
  nxtTimeMs = 0;
  /** Highest offset the receiver acknowledged; `ackSeen` once it has acknowledged anything. */
  acked = 0;
  ackSeen = false;
  /** Duplicate ACKs (or SACKs) received since the last advance of `acked`. */
  dupAcks = 0;
  /** Highest right edge of the receive window the receiver advertised (absolute offset). */
  rightEdge = 0;
  rightEdgeKnown = false;
  /** Window field of the last segment this side sent (unscaled), undefined before any. */
  lastWindow: number | undefined;
  /** Offset of this sender's FIN, once sent. */
  finAt: number | undefined;
  coverage = new Coverage(1);
  payload = new PayloadWindow(PAYLOAD_BUDGET);
  counts = emptyCounts();
  zeroWindowSince: { frame: number; timeMs: number } | undefined;

  constructor(readonly label: string) {}

  /** Starts the direction at its SYN (seq is the ISN) or mid-stream (seq is the first offset seen). */
  start(seq: number, syn: boolean): void {
    this.started = true;
    this.synSeen = syn;
    this.isn = syn ? seq : (seq - 1) >>> 0;
    this.nxt = syn ? 0 : 1;
    this.coverage = new Coverage(1);
  }

  /** Bytes of stream data sent, from the first offset seen (SYN and FIN excluded). */
  streamBytes(): number {
    if (!this.started) return 0;
    return Math.max(0, this.nxt - 1 - (this.finAt !== undefined ? 1 : 0));
  }

  abs(seq: number): number {
    return unwrapSeq(this.isn, seq, this.nxt);
  }

  seq(abs: number): number {
    return seqAt(this.isn, abs);
  }
}
