/** Capture: packets recorded on a lab host, fetched as a classic pcap file. */

export type CaptureErrorCode =
  | 'CAPTURE_START'
  | 'CAPTURE_STOP'
  | 'CAPTURE_FETCH'
  | 'CAPTURE_BAD_FILE';

export class CaptureError extends Error {
  constructor(
    readonly code: CaptureErrorCode,
    message: string,
    cause?: unknown,
  ) {
    super(message, cause === undefined ? undefined : { cause });
    this.name = 'CaptureError';
  }
}

export interface CaptureOptions {
  /** Host name, for messages. */
  host: string;
  iface: string;
  /** BPF filter expression. */
  filter?: string;
  /** Bytes kept per packet (default 262144: whole packets). */
  snaplen?: number;
  /** Size bound of the capture file in MB (tcpdump -C with -W 1). */
  maxMegabytes?: number;
  /**
   * Kernel capture buffer in KiB (tcpdump -B; default 128 MiB). tcpdump's own
   * 2 MiB drops packets under bulk traffic, and 32 MiB still overflowed in a
   * takeover's burst on a busy host: a capture that lost packets makes the
   * verdicts around the loss inconclusive.
   */
  bufferKib?: number;
  /** Where the file is written on the host (default /tmp). */
  remoteDir?: string;
  /** How long to wait for tcpdump to start listening (ms). */
  startTimeoutMs?: number;
}

export interface PcapSummary {
  path: string;
  bytes: number;
  packets: number;
  linkType: number;
  snaplen: number;
  nanosecond: boolean;
}
