/**
 * The decoded TCP segment as the engine sees it. The wire codec (tcp.ts) turns
 * bytes into this record and back; the engine never touches raw bytes.
 */

export const TcpFlag = {
  FIN: 0x01,
  SYN: 0x02,
  RST: 0x04,
  PSH: 0x08,
  ACK: 0x10,
  URG: 0x20,
  ECE: 0x40,
  CWR: 0x80,
} as const;

/** A SACK block: [left edge, right edge), sequence numbers modulo 2^32. */
export interface SackBlock {
  left: number;
  right: number;
}

export interface TcpOptions {
  /** Maximum segment size (SYN only). */
  mss?: number;
  /** Window scale shift count (SYN only). */
  wscale?: number;
  sackPermitted?: boolean;
  sack?: SackBlock[];
  /** RFC 7323 timestamps. */
  timestamp?: { value: number; echo: number };
}

export interface TcpSegment {
  srcPort: number;
  dstPort: number;
  /** Sequence number, unsigned 32-bit. */
  seq: number;
  /** Acknowledgment number, unsigned 32-bit (meaningful when ACK is set). */
  ack: number;
  /** Bitwise OR of TcpFlag values. */
  flags: number;
  /** Window field as carried on the wire (unscaled). */
  window: number;
  urgent: number;
  options: TcpOptions;
  payload: Uint8Array;
  /**
   * Set on a super-segment (TSO): the payload is a run of segments of this
   * many bytes each (the last may be shorter) that a link able to segment cuts
   * it into; all carry this header, PSH and FIN only the last. Not on the wire.
   */
  gsoSize?: number;
}
