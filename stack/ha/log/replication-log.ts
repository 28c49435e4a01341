/**
 * Active side of the replication log: one ordered sequence of records for every SSO
 * connection, numbered from 1, with the cumulative confirmation from the standby and the lag
 * (records and bytes appended but not yet confirmed).
 */
import { entryDataBytes } from '../ipc/log-entry-codec.ts';
import type { IpcRecord, LogEntry } from '../ipc/records.ts';

export type LogRecord = Extract<IpcRecord, { type: 'log' }>;

export class ReplicationLog {
  private last = 0;
  private confirmed = 0;
  /** Sizes of unconfirmed records, oldest first (the records themselves are not kept). */
  private readonly sizes: number[] = [];
  private head = 0;
  private bytes = 0;

  constructor(
    public epoch: number,
    /** Continue after this index (a new active goes on from what it applied as standby). */
    baseIndex = 0,
  ) {
    this.last = baseIndex;
    this.confirmed = baseIndex;
  }

  get lastIndex(): number {
    return this.last;
  }

  get confirmedIndex(): number {
    return this.confirmed;
  }

  /** Everything appended is confirmed. */
  get drained(): boolean {
    return this.confirmed === this.last;
  }

  lag(): { records: number; bytes: number } {
    return { records: this.last - this.confirmed, bytes: this.bytes };
  }

  append(entry: LogEntry): LogRecord {
    this.last++;
    const size = entryDataBytes(entry);
    this.sizes.push(size);
    this.bytes += size;
    return { type: 'log', index: this.last, epoch: this.epoch, entry };
  }

  /**
   * Cumulative confirmation. Returns how many records it newly confirmed; an index beyond the
   * last appended one, or from another epoch, confirms nothing (it answers another log).
   */
  confirm(index: number, epoch = this.epoch): number {
    if (epoch !== this.epoch || index <= this.confirmed || index > this.last) return 0;
    const n = index - this.confirmed;
    for (let i = 0; i < n; i++) this.bytes -= this.sizes[this.head++]!;
    this.confirmed = index;
    if (this.head > 4096 && this.head * 2 > this.sizes.length) {
      this.sizes.splice(0, this.head);
      this.head = 0;
    }
    return n;
  }

  /**
   * The standby is gone or will be bulk-synced: nothing is awaited any more. The numbering goes
   * on, so a late confirmation of an old index cannot be mistaken for a new one.
   */
  abandonUnconfirmed(): void {
    this.confirmed = this.last;
    this.sizes.length = 0;
    this.head = 0;
    this.bytes = 0;
  }
}
