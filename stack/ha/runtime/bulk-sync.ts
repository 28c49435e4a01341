/**
 * Active side of a bulk sync, sent in slices: one snapshot record per SSO connection, encoded
 * only when its turn comes, a bounded number per event-loop turn and a bounded number in flight
 * unconfirmed. So heartbeats and front traffic keep flowing on both boards while 10,000
 * connections go over, and the standby installs while the active is still encoding.
 *
 * A connection not sent yet needs no records of its own: its snapshot, taken later, holds what
 * those records would have changed (`covers`). A connection that closes before its turn is
 * simply never sent. The standby is not hot before bulk-end is confirmed, so nothing the peers
 * saw in between depends on those records.
 */

import type { HaLog } from '../ipc/log-sink.ts';
import type { IpcRecord } from '../ipc/records.ts';
import type { ReplicationLog } from '../log/replication-log.ts';
import type { HaHooks } from './ha-runtime.ts';

/** What one slice may do before it yields to the event loop. */
export interface BulkSliceLimits {
  /** Most connections per slice. */
  connections: number;
  /** Most milliseconds of work per slice (checked after each connection). */
  ms: number;
  /** Most log records in flight unconfirmed before the next slice waits for a confirmation. */
  inFlight: number;
}

export const DEFAULT_BULK_SLICE: BulkSliceLimits = { connections: 256, ms: 3, inFlight: 2048 };

export interface BulkSyncDeps {
  /** Send the snapshot records of one connection (nothing when it is gone). */
  sendConnection(conn: number): void;
  /** Log records appended but not confirmed yet. */
  inFlight(): number;
  /** Every connection was sent: send bulk-end. */
  finish(): void;
  /** Run `fn` on a later event-loop turn (after I/O and timers). */
  later(fn: () => void): void;
  /** Elapsed-time source for the slice budget (real time: it is about event-loop fairness). */
  elapsedMs?: () => number;
}

export class BulkSync {
  private readonly queue: number[];
  private readonly pending: Set<number>;
  private at = 0;
  private cancelled = false;
  private scheduled = false;
  /** Slices run so far (for tests and logs). */
  slices = 0;

  constructor(
    connections: readonly number[],
    private readonly deps: BulkSyncDeps,
    private readonly limits: BulkSliceLimits = DEFAULT_BULK_SLICE,
  ) {
    this.queue = [...connections];
    this.pending = new Set(connections);
  }

  get done(): boolean {
    return this.cancelled || this.at >= this.queue.length;
  }

  get remaining(): number {
    return this.pending.size;
  }

  /**
   * Whether an entry of this connection is covered by its snapshot still to come (drop it).
   * A snapshot entry of it (a resync, an establishment) is the whole state: it is sent in the
   * log instead, and the bulk sync skips the connection. A closed one leaves the bulk sync.
   */
  covers(conn: number, kind: string): boolean {
    if (this.cancelled || !this.pending.has(conn)) return false;
    if (kind === 'snapshot') {
      this.pending.delete(conn);
      return false;
    }
    if (kind === 'closed') this.pending.delete(conn);
    return true;
  }

  cancel(): void {
    this.cancelled = true;
    this.pending.clear();
  }

  /** Send the next slice now if there is room; else wait for `kick` (a confirmation). */
  step(): void {
    this.scheduled = false;
    if (this.cancelled) return;
    this.slices++;
    const clock = this.deps.elapsedMs ?? (() => performance.now());
    const start = clock();
    let sent = 0;
    while (this.at < this.queue.length) {
      if (!this.roomNow()) return; // kick() resumes
      const conn = this.queue[this.at++]!;
      if (!this.pending.delete(conn)) continue; // closed, or already sent as a snapshot entry
      this.deps.sendConnection(conn);
      sent++;
      if (sent >= this.limits.connections || clock() - start >= this.limits.ms) {
        this.schedule();
        return;
      }
    }
    this.cancelled = true; // over: it covers nothing any more
    this.deps.finish();
  }

  /**
   * Room again (a confirmation): resume unless a slice is already due. Only the bulk's own
   * bound counts, not the IPC window: records abandoned when the bulk sync began may never be
   * confirmed, and the standby confirms them all at once when it applies the first snapshot.
   */
  kick(): void {
    if (!this.cancelled && !this.scheduled && this.roomNow()) this.schedule();
  }

  private roomNow(): boolean {
    return this.deps.inFlight() < this.limits.inFlight;
  }

  private schedule(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    this.deps.later(() => this.step());
  }
}

/** What a bulk sync needs from the runtime (HaRuntime fits). */
export interface BulkRuntime {
  readonly ipc: { send(rec: IpcRecord): unknown; readonly isUp: boolean };
  readonly log: ReplicationLog;
  readonly node: { readonly epoch: number; readonly role: string };
  readonly hooks: Pick<HaHooks<unknown>, 'snapshots' | 'ssoConnections'>;
  bulk: BulkSync | undefined;
  bulkEndIndex: number | undefined;
}

/**
 * Active: bulk-begin now, then the snapshots in slices, then bulk-end (whose confirmation makes
 * the standby hot). It stops by itself when the board is no longer active, the link is down, or
 * another bulk sync replaced it.
 */
export function startBulkSync(
  rt: BulkRuntime,
  opts: { clock: () => number; log: HaLog; limits: BulkSliceLimits },
): BulkSync {
  rt.bulk?.cancel();
  rt.log.abandonUnconfirmed();
  rt.bulkEndIndex = undefined;
  // Without the list of connections, snapshots are taken at once; only the sending is sliced.
  const eager = rt.hooks.ssoConnections ? undefined : rt.hooks.snapshots(null);
  const conns = eager ? eager.map((s) => s.conn) : rt.hooks.ssoConnections!();
  const byConn = new Map(eager?.map((s) => [s.conn, s]));
  const started = opts.clock();
  rt.ipc.send({
    type: 'bulk-begin',
    epoch: rt.node.epoch,
    baseIndex: rt.log.lastIndex,
    connections: conns.length,
  });
  const bulk: BulkSync = new BulkSync(
    conns,
    {
      sendConnection: (conn) => {
        const one = eager ? [byConn.get(conn)!] : rt.hooks.snapshots(conn);
        for (const s of one) rt.ipc.send(rt.log.append({ kind: 'snapshot', ...s }));
      },
      inFlight: () => rt.log.lastIndex - rt.log.confirmedIndex,
      finish: () => {
        if (rt.bulk !== bulk) return;
        rt.bulk = undefined;
        rt.ipc.send({ type: 'bulk-end', epoch: rt.node.epoch, lastIndex: rt.log.lastIndex });
        rt.bulkEndIndex = rt.log.lastIndex;
        opts.log({
          level: 'info',
          msg: 'bulk sync sent',
          connections: conns.length,
          lastIndex: rt.log.lastIndex,
          slices: bulk.slices,
          ms: opts.clock() - started,
        });
      },
      later: (fn) =>
        setImmediate(() => {
          if (rt.bulk !== bulk) return;
          if (rt.node.role === 'active' && rt.ipc.isUp) fn();
          else {
            bulk.cancel();
            rt.bulk = undefined;
          }
        }),
    },
    opts.limits,
  );
  rt.bulk = bulk;
  bulk.step();
  return bulk;
}
