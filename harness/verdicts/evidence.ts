/** What the analyser found, each item pointing at frames a person can open in Wireshark. */

export type EvidenceKind =
  | 'rst'
  | 'fin'
  | 'reconnect'
  | 'hole'
  | 'divergence'
  | 'ack-unsent'
  | 'ack-unseen'
  | 'out-of-window'
  | 'zero-window'
  | 'retransmission'
  | 'syn-unanswered'
  | 'one-way';

/**
 * drop: the peer saw (or will see) the connection break.
 * incomplete: the capture cannot show what happened (missing frames).
 * info: worth reading, not a verdict on its own.
 */
export type Severity = 'drop' | 'incomplete' | 'info';

export interface Evidence {
  kind: EvidenceKind;
  severity: Severity;
  /** Endpoint that sent the frame, "198.18.0.1:5000". */
  from: string;
  /** First frame of the evidence (1-based, as Wireshark numbers frames). */
  frame: number;
  timeMs: number;
  /** Other frames involved (first copy of a retransmission, end of a period...). */
  relatedFrames?: number[];
  durationMs?: number;
  detail: string;
}

export interface Stall {
  durationMs: number;
  fromFrame: number;
  toFrame: number;
  fromMs: number;
  toMs: number;
  /** True when the stall runs to the end of the capture with data unacknowledged. */
  openAtEnd?: boolean;
}

export interface FaultWindow {
  kind: string;
  startMs: number;
  endMs: number;
}
