/**
 * Sends the segments output commit lets through in slices, with a turn of the event loop
 * between slices. A confirmation can release a whole send buffer at once; sent in one go, the
 * peers' ACKs for it wait unread until the last byte is out, so their records reach the standby
 * late and the board then idles, waiting for the next confirmation. Between slices the ACKs
 * are read and replicated while the rest is still going out: the IPC round trip overlaps the
 * sending instead of adding to it.
 *
 * First in, first out: a segment sent while others wait goes behind them.
 */

/**
 * Three eighths of the connections' send buffer (64 KiB at least): small enough that a buffer
 * goes out over several turns, big enough that each turn is worth its overheads (ACKs read,
 * records written, confirmations handled once per slice). Measured on the virtual chassis, SSO
 * streams to the kernel peer (stack/ha README): 2 MiB buffers with 768 KiB slices 0.81–0.86 of
 * the non-SSO throughput; 512 KiB or 1 MiB slices 0.78–0.82; 1 MiB buffers with 256 or 384 KiB
 * slices 0.75–0.79.
 */
export function releaseSliceBytes(sndBuf: number): number {
  return Math.max(64 * 1024, Math.floor((sndBuf * 3) / 8));
}

export interface PacedOutput {
  /** Bytes on the wire (for the slice bound). */
  bytes: number;
  send(): void;
}

export class ReleasePacer {
  private queue: PacedOutput[] = [];
  private head = 0;
  private scheduled = false;
  /** A send that outputs more (it pokes the engine) only queues them: the loop below sends. */
  private sending = false;
  /** Raised by `clear`: a turn scheduled before it must not send what came after. */
  private generation = 0;

  constructor(
    /** Runs the callback after the event loop has polled for I/O (setImmediate in the daemon). */
    private readonly defer: (fn: () => void) => void,
    /** Bytes sent per turn (releaseSliceBytes). */
    private readonly sliceBytes: number,
  ) {}

  get waiting(): number {
    return this.queue.length - this.head;
  }

  /** Outputs in order: sent now up to the slice, the rest on the next turns. */
  push(outputs: Iterable<PacedOutput>): void {
    for (const o of outputs) this.queue.push(o);
    if (!this.scheduled && !this.sending) this.sendSlice();
  }

  /** Drop what waits (the board stopped transmitting for the chassis). */
  clear(): void {
    this.queue = [];
    this.head = 0;
    this.scheduled = false;
    this.generation++;
  }

  private sendSlice(): void {
    let bytes = 0;
    this.sending = true;
    try {
      while (this.head < this.queue.length && bytes < this.sliceBytes) {
        const o = this.queue[this.head++]!;
        bytes += o.bytes;
        o.send();
      }
    } finally {
      this.sending = false;
    }
    if (this.head === this.queue.length) {
      this.queue.length = 0;
      this.head = 0;
      return;
    }
    this.scheduled = true;
    const generation = this.generation;
    this.defer(() => {
      if (generation !== this.generation) return;
      this.scheduled = false;
      this.sendSlice();
    });
  }
}
