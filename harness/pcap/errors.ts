/**
 * Errors of the capture reader. `code` is stable: scripts and the CLI match on it.
 * An unusable capture (empty, not a capture, unsupported link type everywhere)
 * is thrown; a capture that breaks off after some frames is reported in the
 * reader's result instead, so the frames before the break still count.
 */
export type CaptureErrorCode =
  | 'CAPTURE_EMPTY'
  | 'CAPTURE_NOT_PCAP'
  | 'CAPTURE_TRUNCATED'
  | 'CAPTURE_CORRUPT'
  | 'CAPTURE_UNREADABLE';

export class CaptureError extends Error {
  constructor(
    readonly code: CaptureErrorCode,
    message: string,
    /** Byte offset in the file where the problem starts, when known. */
    readonly offset?: number,
    /** 1-based frame number (as Wireshark counts) where the problem starts. */
    readonly frame?: number,
  ) {
    super(message);
    this.name = 'CaptureError';
  }
}
