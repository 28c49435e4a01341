/**
 * Standby side: applies log entries to its own engine in order, with the active's timestamps,
 * and checks each TCP record's variables against its own. Socket data waits until the TCP
 * record that commits it (an entry left uncommitted by a crash is dropped at takeover). Keeps
 * what the apps need to carry on: bytes delivered and not consumed, stream offsets.
 */

import type { ConnId, ConnInfo } from '../../tcp/api.ts';
import type { TcpEngine } from '../../tcp/engine.ts';
import type { ConsumedRecord, LogEntry, SocketDataRecord, TcpRecord } from '../ipc/records.ts';
import { differingVars } from '../log/digest-compare.ts';
import { ReplicationError } from './errors.ts';
import { replayInput, zeroPayload } from './replay-input.ts';
import { ChunkQueue, decodeSocketSnapshot } from './socket-snapshot.ts';

/** Bytes a regenerable app wrote at `offset` (the stream app's pattern, for example). */
export type Regenerate = (
  conn: ConnId,
  info: ConnInfo,
  offset: number,
  length: number,
  /** The app's own state (AppRecord), empty when it sent none. */
  appState: Uint8Array,
) => Uint8Array;

export type ReplayLog = (event: {
  level: 'info' | 'warn';
  msg: string;
  [k: string]: unknown;
}) => void;

/** How many of the first delivered bytes the standby keeps (an app's opening, e.g. a hello). */
export const HEAD_BYTES = 16;

interface ReplayConn {
  regenerable: boolean;
  appState: Uint8Array;
  written: number;
  delivered: number;
  unconsumed: ChunkQueue;
  /** The first delivered bytes (up to HEAD_BYTES), consumed or not. */
  head: Uint8Array;
  pendingWritten: SocketDataRecord[];
  pendingDelivered: (SocketDataRecord | ConsumedRecord)[];
}

/** One connection as the apps find it after takeover. */
export interface TakenOverConn {
  conn: ConnId;
  info: ConnInfo;
  regenerable: boolean;
  /** The app's own state, as last replicated. */
  appState: Uint8Array;
  /** Stream offset of the app's next write. */
  written: number;
  /** Bytes delivered to the app so far (including `unconsumed`). */
  delivered: number;
  /** Delivered but not consumed on the active: deliver these to the app again. */
  unconsumed: Uint8Array;
  /**
   * The first bytes delivered (up to HEAD_BYTES; shorter when the standby joined after they
   * were consumed): lets an app whose own state record never arrived find its opening again.
   */
  head: Uint8Array;
}

/** What a planned switchover hands over per connection (a taken-over connection less its engine info). */
export type AdoptedConn = Omit<TakenOverConn, 'info' | 'head'> & { head?: Uint8Array };

export interface ReplayStats {
  applied: number;
  mismatches: number;
  errors: number;
  snapshots: number;
  closed: number;
}

export class Replayer {
  private readonly conns = new Map<ConnId, ReplayConn>();
  /** Connections whose state is not trusted until a snapshot comes (after a mismatch). */
  private readonly awaiting = new Set<ConnId>();
  /**
   * min(local clock - active clock) over the records seen: the boards' clock offset. Each
   * daemon's clock starts with its process, so it holds for one active only: forgotten when
   * a bulk sync begins (a new active, or the same one after a break) and when this board hands
   * over and starts replaying its mate.
   */
  private offset: number | undefined;
  readonly stats: ReplayStats = { applied: 0, mismatches: 0, errors: 0, snapshots: 0, closed: 0 };

  constructor(
    readonly engine: TcpEngine,
    private readonly regenerate: Regenerate | undefined,
    private readonly log: ReplayLog = () => {},
  ) {}

  get clockOffset(): number | undefined {
    return this.offset;
  }

  connections(): ConnId[] {
    return [...this.conns.keys()].sort((a, b) => a - b);
  }

  isAwaitingSnapshot(conn: ConnId): boolean {
    return this.awaiting.has(conn);
  }

  /** Heartbeats and records both tell the active's clock. */
  observeClock(activeAt: number, localNow: number): void {
    const d = localNow - activeAt;
    if (this.offset === undefined || d < this.offset) this.offset = d;
  }

  /**
   * Apply one entry. Returns the names of the variables that differ from the active's (or a
   * reason in brackets when the entry could not be replayed); non-empty = resync that connection.
   */
  apply(entry: LogEntry, localNow?: number): string[] {
    if (localNow !== undefined && 'at' in entry) this.observeClock(entry.at, localNow);
    this.stats.applied++;
    try {
      return this.applyEntry(entry);
    } catch (err) {
      this.stats.errors++;
      const code = err instanceof ReplicationError ? err.code : 'REPL_NOT_REPLAYABLE';
      this.log({
        level: 'warn',
        msg: 'replay failed',
        conn: entry.conn,
        code,
        reason: (err as Error).message,
      });
      if (entry.kind !== 'snapshot') this.awaiting.add(entry.conn);
      return [`(${code})`];
    }
  }

  /**
   * Planned switchover, old active side: the connections it served (already in the engine)
   * are replayed from now on; everything else in the engine is dropped.
   */
  adopt(conns: AdoptedConn[]): void {
    this.conns.clear();
    this.awaiting.clear();
    this.offset = undefined;
    const keep = new Set(conns.map((c) => c.conn));
    for (const id of this.engine.connections()) if (!keep.has(id)) this.engine.removeConnection(id);
    for (const c of conns) {
      const unconsumed = new ChunkQueue();
      unconsumed.push(c.unconsumed);
      this.conns.set(c.conn, {
        regenerable: c.regenerable,
        appState: c.appState,
        written: c.written,
        delivered: c.delivered,
        unconsumed,
        head: c.head ?? headOf(c.delivered, c.unconsumed),
        pendingWritten: [],
        pendingDelivered: [],
      });
    }
  }

  /** Bulk sync begins: forget every replicated connection. */
  reset(): void {
    for (const id of this.conns.keys()) this.engine.removeConnection(id);
    this.conns.clear();
    this.awaiting.clear();
    this.offset = undefined;
  }

  private applyEntry(entry: LogEntry): string[] {
    switch (entry.kind) {
      case 'snapshot':
        this.install(entry.conn, entry.snapshot);
        return [];
      case 'closed':
        this.engine.removeConnection(entry.conn);
        this.conns.delete(entry.conn);
        this.awaiting.delete(entry.conn);
        this.stats.closed++;
        return [];
      case 'socket-data': {
        const c = this.conns.get(entry.conn);
        if (!c || this.awaiting.has(entry.conn)) return [];
        (entry.direction === 'written' ? c.pendingWritten : c.pendingDelivered).push(entry);
        return [];
      }
      case 'consumed': {
        const c = this.conns.get(entry.conn);
        if (c && !this.awaiting.has(entry.conn)) c.pendingDelivered.push(entry);
        return [];
      }
      case 'app': {
        const c = this.conns.get(entry.conn);
        if (c) c.appState = entry.data;
        return [];
      }
      case 'tcp':
        return this.replayTcp(entry);
    }
  }

  private install(conn: ConnId, bytes: Uint8Array): void {
    const s = decodeSocketSnapshot(bytes);
    const id = this.engine.restoreConnection(s.tcb);
    if (id !== conn)
      throw new ReplicationError('REPL_BAD_DETAIL', `snapshot of ${id} sent as connection ${conn}`);
    const unconsumed = new ChunkQueue();
    unconsumed.push(s.unconsumed);
    this.conns.set(conn, {
      regenerable: s.regenerable,
      appState: s.appState,
      written: s.written,
      delivered: s.delivered,
      unconsumed,
      head: headOf(s.delivered, s.unconsumed),
      pendingWritten: [],
      pendingDelivered: [],
    });
    this.awaiting.delete(conn);
    this.stats.snapshots++;
  }

  private replayTcp(rec: TcpRecord): string[] {
    if (this.awaiting.has(rec.conn)) return [];
    const c = this.conns.get(rec.conn);
    const info = this.engine.info(rec.conn);
    if (!c || !info)
      throw new ReplicationError(
        'REPL_UNKNOWN_CONN',
        `TCP record for unknown connection ${rec.conn}`,
      );
    const input = replayInput(rec, info, (offset, length) => {
      const bytes = this.written(rec.conn, c, offset, length);
      c.written = offset + length;
      return bytes;
    });
    // The outputs are dropped: no need to read the bytes they would carry.
    this.engine.outputPayloads = false;
    try {
      this.engine.handle(input);
    } finally {
      this.engine.outputPayloads = true;
    }
    // Consumed records stand for the app's consume of their bytes: replayed after the check
    // below, as the active handled it after the segment whose digest the record carries.
    let consumed = 0;
    let consumedAt = 0;
    for (const d of c.pendingDelivered) {
      if (d.kind === 'consumed') {
        c.delivered += d.length;
        consumed += d.length;
        consumedAt = d.at;
        continue;
      }
      if (c.delivered < HEAD_BYTES && c.head.length === c.delivered)
        c.head = concatBytes(c.head, d.bytes.subarray(0, HEAD_BYTES - c.delivered));
      c.unconsumed.push(d.bytes);
      c.delivered += d.bytes.length;
    }
    c.pendingDelivered = [];
    if (input.kind === 'consume') c.unconsumed.drop(input.n);
    const differing = this.check(rec);
    if (consumed > 0 && differing.length === 0)
      this.engine.handle({ kind: 'consume', now: consumedAt, conn: rec.conn, n: consumed });
    return differing;
  }

  /** The record's digest against this engine's: a mismatch awaits a snapshot of that connection. */
  private check(rec: TcpRecord): string[] {
    const mine = this.engine.digest(rec.conn);
    const differing = mine ? differingVars(rec.vars, mine) : ['state'];
    if (differing.length > 0) {
      this.stats.mismatches++;
      this.awaiting.add(rec.conn);
      this.log({
        level: 'warn',
        msg: 'digest mismatch',
        conn: rec.conn,
        event: rec.event,
        vars: differing,
      });
    }
    return differing;
  }

  /** The bytes of a replayed write: mirrored, or a stand-in for a regenerable app's. */
  private written(conn: ConnId, c: ReplayConn, offset: number, length: number): Uint8Array {
    const mirrored = c.pendingWritten[0];
    // Regenerated once, at takeover, for what is still queued then (regenerateQueued); most
    // of it is acknowledged long before.
    if (c.regenerable && !(mirrored && mirrored.offset === offset)) return zeroPayload(length);
    const w = c.pendingWritten.shift();
    c.pendingWritten = [];
    if (!w || w.offset !== offset || w.bytes.length !== length)
      throw new ReplicationError(
        'REPL_MISSING_BYTES',
        `no written bytes at ${offset}+${length} on ${conn}`,
      );
    return w.bytes;
  }

  /** A regenerable stream's queued bytes, stand-ins while replaying, made real. */
  private regenerateQueued(conn: ConnId, c: ReplayConn): void {
    const info = this.engine.info(conn);
    if (!c.regenerable || !info || info.sendQueued === 0) return;
    if (!this.regenerate)
      throw new ReplicationError('REPL_MISSING_BYTES', `no regenerator for connection ${conn}`);
    const from = c.written - info.sendQueued;
    this.engine.rewriteSendQueue(
      conn,
      this.regenerate(conn, info, from, info.sendQueued, c.appState),
    );
  }

  private dropAtTakeover(id: ConnId, why: string, reason?: string): void {
    this.engine.removeConnection(id);
    this.conns.delete(id);
    this.log({
      level: 'warn',
      msg: `connection dropped at takeover (${why})`,
      conn: id,
      ...(reason !== undefined ? { reason } : {}),
    });
  }

  /**
   * Become active: drop uncommitted socket data, rebase every deadline onto the local clock,
   * then `resume` each connection (retransmit from SND.UNA at once, else ACK). Returns the
   * outputs to send and what the apps need to carry on.
   */
  takeover(
    localNow: number,
    /** false: the caller resumes the connections itself (through its socket layer). */
    resume = true,
  ): { outputs: ReturnType<TcpEngine['handle']>; conns: TakenOverConn[] } {
    // Untrusted after a mismatch and no snapshot came: dropping it is better than a wrong stream.
    for (const id of this.awaiting) this.dropAtTakeover(id, 'awaiting snapshot');
    this.awaiting.clear();
    const delta = this.offset ?? 0;
    if (this.engine.connections().length > 0) this.engine.rebase(delta);
    for (const id of this.connections()) {
      try {
        this.regenerateQueued(id, this.conns.get(id)!);
      } catch (err) {
        // Stand-ins would go to the peer as data: that connection goes, the others carry on.
        this.dropAtTakeover(id, 'output not regenerable', (err as Error).message);
      }
    }
    const outputs: ReturnType<TcpEngine['handle']> = [];
    const conns: TakenOverConn[] = [];
    for (const id of this.connections()) {
      const c = this.conns.get(id)!;
      c.pendingDelivered = [];
      c.pendingWritten = [];
      if (resume)
        outputs.push(
          ...this.engine.handle({
            kind: 'resume',
            now: localNow,
            conn: id,
            discardOutOfOrder: true,
          }),
        );
      const info = this.engine.info(id);
      if (!info) continue;
      conns.push({
        conn: id,
        info,
        regenerable: c.regenerable,
        appState: c.appState,
        written: c.written,
        delivered: c.delivered,
        unconsumed: c.unconsumed.concat(),
        head: c.head,
      });
    }
    return { outputs, conns };
  }
}

/** The head of a stream known only from a snapshot: complete when nothing was consumed yet. */
function headOf(delivered: number, unconsumed: Uint8Array): Uint8Array {
  // One shared empty head for the many idle connections a bulk sync installs.
  if (unconsumed.length === 0 || delivered !== unconsumed.length) return NO_BYTES;
  return unconsumed.slice(0, HEAD_BYTES);
}

const NO_BYTES = new Uint8Array(0);

function concatBytes(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}
