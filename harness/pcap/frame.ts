/** One captured frame as the readers hand it out, whatever the file format. */
export interface CaptureFrame {
  /** 1-based frame number, as Wireshark numbers frames ("Go to packet"). */
  number: number;
  /** Byte offset of the frame's record in the file. */
  offset: number;
  /** Capture time, epoch milliseconds (to about 0.25 µs: a double's precision). */
  timeMs: number;
  /** The exact capture time: epoch seconds and nanoseconds within the second. */
  timeSec: number;
  timeNs: number;
  /** LINKTYPE_* value of the interface the frame was captured on. */
  linkType: number;
  /** The captured bytes (may be shorter than originalLength: snap length). */
  data: Buffer;
  originalLength: number;
}

/** A capture that breaks off: what went wrong, where. Frames before it are valid. */
export interface CaptureProblem {
  code: 'CAPTURE_TRUNCATED' | 'CAPTURE_CORRUPT';
  message: string;
  offset: number;
  frame: number;
}

export interface CaptureInfo {
  file: string;
  format: 'pcap' | 'pcapng';
  /** Timestamp resolution of the file (pcapng: of its first interface). */
  precision: 'us' | 'ns' | 'other';
  frames: number;
  bytes: number;
  /** Set when the file is truncated or corrupt after its header. */
  problem?: CaptureProblem;
  /** Packets the capturing host said it dropped (pcapng interface statistics), if recorded. */
  droppedByCapture?: number;
}

export type FrameSink = (frame: CaptureFrame) => void;

/** LINKTYPE_* values the decoder understands. */
export const LinkType = {
  ETHERNET: 1,
  RAW: 101,
  LINUX_SLL: 113,
  IPV4: 228,
  LINUX_SLL2: 276,
} as const;
