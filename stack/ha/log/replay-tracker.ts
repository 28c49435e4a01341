/**
 * Standby side of the replication log: which record comes next, bulk-sync bracketing,
 * cumulative confirmations (one per batch, not per record), and per-connection digest
 * mismatches that call for a resync of that connection from a control-block snapshot.
 */
import type { IpcRecord } from '../ipc/records.ts';
import type { LogRecord } from './replication-log.ts';

type Confirm = Extract<IpcRecord, { type: 'confirm' }>;
type ResyncRequest = Extract<IpcRecord, { type: 'resync-request' }>;

/** What to do with an incoming log record. */
export type Admission =
  | { verdict: 'apply' }
  /** Already applied (a resend): skip it. */
  | { verdict: 'duplicate' }
  /** From an older master: refuse it. */
  | { verdict: 'stale'; reason: string }
  /** A record is missing: the log cannot continue; ask for a bulk sync. */
  | { verdict: 'gap'; request: ResyncRequest };

export class ReplayTracker {
  private applied = 0;
  private confirmedSent = 0;
  private bulk: { baseIndex: number; connections: number; snapshots: number } | undefined;
  private readonly mismatchesByConn = new Map<number, number>();
  private mismatchTotal = 0;
  private resyncs = 0;

  constructor(
    public epoch: number,
    /** Already applied up to here (a board handing over keeps its state at this index). */
    baseIndex = 0,
  ) {
    this.applied = baseIndex;
    this.confirmedSent = baseIndex;
  }

  get lastApplied(): number {
    return this.applied;
  }

  get inBulkSync(): boolean {
    return this.bulk !== undefined;
  }

  get stats(): { mismatches: number; resyncRequests: number; connectionsWithMismatch: number } {
    return {
      mismatches: this.mismatchTotal,
      resyncRequests: this.resyncs,
      connectionsWithMismatch: this.mismatchesByConn.size,
    };
  }

  mismatchesOf(conn: number): number {
    return this.mismatchesByConn.get(conn) ?? 0;
  }

  admit(rec: LogRecord): Admission {
    if (rec.epoch < this.epoch) {
      return { verdict: 'stale', reason: `record epoch ${rec.epoch} < ${this.epoch}` };
    }
    if (rec.epoch > this.epoch) this.epoch = rec.epoch;
    if (rec.index <= this.applied) return { verdict: 'duplicate' };
    if (rec.index !== this.applied + 1) {
      this.resyncs++;
      const reason = `log gap: got ${rec.index}, expected ${this.applied + 1}`;
      return {
        verdict: 'gap',
        request: { type: 'resync-request', epoch: this.epoch, conn: null, reason },
      };
    }
    return { verdict: 'apply' };
  }

  /** The record at `index` has been replayed (or installed). */
  markApplied(index: number): void {
    this.applied = index;
    if (this.bulk) this.bulk.snapshots++;
  }

  bulkBegin(baseIndex: number, connections: number, epoch: number): void {
    this.epoch = Math.max(this.epoch, epoch);
    this.applied = baseIndex;
    this.confirmedSent = Math.min(this.confirmedSent, baseIndex);
    this.bulk = { baseIndex, connections, snapshots: 0 };
  }

  /** True when everything the bulk sync announced was applied: the standby is hot. */
  bulkEnd(lastIndex: number): boolean {
    const ok = this.bulk !== undefined && this.applied === lastIndex;
    this.bulk = undefined;
    return ok;
  }

  /** A replayed record's variables differ from the active's: ask for that connection's snapshot. */
  mismatch(conn: number, fields: string[]): ResyncRequest {
    this.mismatchTotal++;
    this.resyncs++;
    this.mismatchesByConn.set(conn, (this.mismatchesByConn.get(conn) ?? 0) + 1);
    return {
      type: 'resync-request',
      epoch: this.epoch,
      conn,
      reason: `digest mismatch: ${fields.join(', ')}`,
    };
  }

  /** The confirmation to send after a batch of records, if anything new was applied. */
  confirmation(): Confirm | undefined {
    if (this.applied <= this.confirmedSent) return undefined;
    this.confirmedSent = this.applied;
    return { type: 'confirm', epoch: this.epoch, index: this.applied };
  }
}
