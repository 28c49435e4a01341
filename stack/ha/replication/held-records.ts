/**
 * The records of one segment input, held back until the app's next move (see SsoReplicator):
 * the input delivered bytes to an app that had read everything before, and if the app consumes
 * them all at once they need not reach the standby, only their place in the stream: one
 * `consumed` record, which stands for that consume too (it gets no record of its own). The
 * outputs of that input wait (`AWAITING_RECORDS`) until the records are written.
 */
import type { ConnId } from '../../tcp/api.ts';
import type { LogEntry } from '../ipc/records.ts';
import { AWAITING_RECORDS } from '../log/output-gate.ts';

export class HeldRecords {
  /** Entries of the input being handled, while they may still be held. */
  private capture: LogEntry[] | undefined;
  private held: { conn: ConnId; entries: LogEntry[] } | undefined;
  /** Index of the last record of the last held set written (what its outputs wait for). */
  private lastWritten = 0;

  constructor(
    /** Append an entry to the log; its index, or 0 when nothing replicates. */
    private readonly write: (e: LogEntry) => number,
    /** The outputs that waited now depend on the record at `index`. */
    private readonly written: (index: number) => void = () => {},
  ) {}

  /** The connection whose records are held, if any. */
  get heldConn(): ConnId | undefined {
    return this.held?.conn;
  }

  /** Collect the entries of the input about to be handled instead of writing them. */
  startCapture(): void {
    this.capture = [];
  }

  /** Takes the entry when capturing (true), else leaves it to the caller. */
  take(e: LogEntry): boolean {
    if (!this.capture) return false;
    this.capture.push(e);
    return true;
  }

  /**
   * The input was handled: hold its entries when they delivered bytes and are only that input's
   * (null returned: its outputs must wait, `AWAITING_RECORDS`), else hand them back to be written
   * now (always when `handled` is false: the input threw).
   */
  endCapture(conn: ConnId | undefined, handled = true): LogEntry[] | null {
    const entries = this.capture;
    this.capture = undefined;
    if (!entries) return [];
    if (!handled || conn === undefined) return entries;
    const delivers = entries.some((e) => e.kind === 'socket-data');
    const plain = entries.every(
      (e) => e.conn === conn && (e.kind === 'socket-data' || e.kind === 'tcp' || e.kind === 'app'),
    );
    if (!delivers || !plain) return entries;
    this.held = { conn, entries };
    return null;
  }

  /**
   * Write what is held. `consumedAt`: the app consumed every byte of it at that time: the
   * delivered bytes go as one `consumed` record in place of the first (lengths only).
   */
  flush(consumedAt?: number): void {
    const h = this.held;
    if (!h) return;
    this.held = undefined;
    const entries = consumedAt === undefined ? h.entries : asConsumed(h.entries, consumedAt);
    let last = 0;
    for (const e of entries) {
      const i = this.write(e);
      if (i > 0) last = i;
    }
    this.lastWritten = last;
    this.written(last);
  }

  /**
   * What an output that got `AWAITING_RECORDS` depends on now: still that while the records
   * are held, else the last of them (for a caller that submits it only after they were written).
   */
  awaitedIndex(): number {
    return this.held ? AWAITING_RECORDS : this.lastWritten;
  }
}

/** The entries with their delivered bytes (contiguous, in order) as one consumed record. */
function asConsumed(entries: LogEntry[], at: number): LogEntry[] {
  const out: LogEntry[] = [];
  let consumed: LogEntry | undefined;
  for (const e of entries) {
    if (e.kind !== 'socket-data' || e.direction !== 'delivered') out.push(e);
    else if (consumed?.kind === 'consumed') consumed.length += e.bytes.length;
    else {
      consumed = { kind: 'consumed', conn: e.conn, offset: e.offset, length: e.bytes.length, at };
      out.push(consumed);
    }
  }
  return out;
}
