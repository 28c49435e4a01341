/**
 * Pipelining window: how many log records (and bytes) may be in flight unconfirmed. Records
 * are sent without waiting; a cumulative confirmation releases every record up to its index.
 * `confirm` says when a full window opened again, so the sender can resume (`drain`).
 */

export interface WindowLimits {
  /** Most records in flight. */
  maxRecords: number;
  /** Most payload bytes in flight. */
  maxBytes: number;
}

export const DEFAULT_WINDOW: WindowLimits = { maxRecords: 4096, maxBytes: 8 * 1024 * 1024 };

export class PipelineWindow {
  private readonly indices: number[] = [];
  private readonly sizes: number[] = [];
  private head = 0;
  private bytes = 0;
  private blocked = false;

  constructor(private readonly limits: WindowLimits = DEFAULT_WINDOW) {}

  get inFlightRecords(): number {
    return this.indices.length - this.head;
  }

  get inFlightBytes(): number {
    return this.bytes;
  }

  canSend(): boolean {
    const ok = this.inFlightRecords < this.limits.maxRecords && this.bytes < this.limits.maxBytes;
    if (!ok) this.blocked = true;
    return ok;
  }

  /** A log record with this index and size went out. */
  sent(index: number, size: number): void {
    this.indices.push(index);
    this.sizes.push(size);
    this.bytes += size;
    if (!(this.inFlightRecords < this.limits.maxRecords && this.bytes < this.limits.maxBytes)) {
      this.blocked = true;
    }
  }

  /** Cumulative confirmation; `drained` is true when a blocked window has room again. */
  confirm(index: number): { released: number; drained: boolean } {
    let released = 0;
    while (this.head < this.indices.length && this.indices[this.head]! <= index) {
      this.bytes -= this.sizes[this.head]!;
      this.head++;
      released++;
    }
    if (this.head > 1024 && this.head * 2 > this.indices.length) {
      this.indices.splice(0, this.head);
      this.sizes.splice(0, this.head);
      this.head = 0;
    }
    const room = this.inFlightRecords < this.limits.maxRecords && this.bytes < this.limits.maxBytes;
    const drained = this.blocked && room;
    if (drained) this.blocked = false;
    return { released, drained };
  }

  /** Forget everything in flight (session lost: the standby is resynchronised in bulk). */
  reset(): void {
    this.indices.length = 0;
    this.sizes.length = 0;
    this.head = 0;
    this.bytes = 0;
    this.blocked = false;
  }
}
