/**
 * Active side: wraps the TCP engine and turns every input that concerns an SSO connection into
 * log entries, in one order: the socket data the input carried (bytes the app wrote, unless its
 * output is regenerable; bytes delivered to the app), then the TCP record (event, header fields,
 * the resulting digest) that commits them; a snapshot when an SSO connection is created and
 * when it becomes established; a closed record when it goes away. Inputs of other connections
 * produce no entry. The caller holds the outputs until `dependsOn` is confirmed (output commit).
 * Bytes the app consumes at once never need delivering again: a segment's records wait for the
 * app's turn (`flushHeld`), and such bytes go as their length only (a `consumed` record, which
 * stands for that consume as well).
 */

import type { ConnId, TcpInput, TcpOutput } from '../../tcp/api.ts';
import type { TcpEngine } from '../../tcp/engine.ts';
import type { ClosedRecord, LogEntry, SnapshotRecord } from '../ipc/records.ts';
import { AWAITING_RECORDS } from '../log/output-gate.ts';
import { encodeInputDetail, encodeSendDetail } from './detail-codec.ts';
import { HeldRecords } from './held-records.ts';
import { type AdoptedConn, HEAD_BYTES } from './replayer.ts';
import { ChunkQueue, encodeSocketSnapshot } from './socket-snapshot.ts';

/** Where entries go: returns the record's log index, or 0 when nothing replicates now. */
export interface ReplicationSink {
  replicate(entry: LogEntry): number;
  /**
   * Whether records reach a standby as they are written now, so that a segment's records may
   * wait for the end of the socket layer's turn (see `flushHeld`). Without it they never wait.
   */
  replicating?(): boolean;
  /** Outputs returned with `AWAITING_RECORDS` now depend on the record at `index`. */
  resolved?(index: number): void;
}

export interface SsoAttributes {
  /** The app's output is a pure function of stream offsets: its writes are not mirrored. */
  regenerable?: boolean;
}

export interface HandleResult {
  outputs: TcpOutput[];
  /** Log index every output depends on (0: none). */
  dependsOn: number;
}

interface SsoConn {
  regenerable: boolean;
  /** Last app state replicated (AppRecord). */
  appState: Uint8Array;
  written: number;
  delivered: number;
  unconsumed: ChunkQueue;
}

export interface ReplicatorStats {
  records: number;
  tcpRecords: number;
  socketDataBytes: number;
  /** Delivered bytes the app consumed before their record left: sent as a length only. */
  consumedBytes: number;
  snapshots: number;
}

export class SsoReplicator {
  private readonly conns = new Map<ConnId, SsoConn>();
  private readonly ssoPorts = new Map<number, SsoAttributes>();
  private pendingConnect: SsoAttributes | undefined;
  private lastNow = 0;
  /** Log index of the last entry appended for the input being handled. */
  private dependsOn = 0;
  private readonly held: HeldRecords;
  readonly stats: ReplicatorStats = {
    records: 0,
    tcpRecords: 0,
    socketDataBytes: 0,
    consumedBytes: 0,
    snapshots: 0,
  };

  constructor(
    readonly engine: TcpEngine,
    private readonly sink: ReplicationSink,
    /**
     * The app's own state of a connection (e.g. the stream app's seed), asked before each input;
     * when it changed it is replicated ahead of the input's records, so a regenerable write never
     * reaches the standby before what it needs to regenerate it. `null`: the app cannot
     * regenerate yet (its state is not known): its writes are mirrored until it can.
     */
    private readonly appState: (conn: ConnId) => Uint8Array | null | undefined = () => undefined,
  ) {
    this.held = new HeldRecords(
      (e) => this.append(e),
      (index) => this.sink.resolved?.(index),
    );
  }

  isSso(conn: ConnId): boolean {
    return this.conns.has(conn);
  }

  ssoConnections(): ConnId[] {
    return [...this.conns.keys()].sort((a, b) => a - b);
  }

  /** Listen; connections accepted on an SSO port are SSO. */
  listen(input: Extract<TcpInput, { kind: 'listen' }>, sso?: SsoAttributes): TcpOutput[] {
    const out = this.engine.handle(input);
    if (sso) this.ssoPorts.set(input.port, sso);
    return out;
  }

  /** Declare a port SSO without listening (the engine listens already, e.g. after takeover). */
  markSsoPort(port: number, sso: SsoAttributes): void {
    this.ssoPorts.set(port, sso);
  }

  /** Take connections over from the replayer (takeover): they stay SSO for the next standby. */
  adopt(conns: AdoptedConn[]): void {
    for (const c of conns) {
      const unconsumed = new ChunkQueue();
      unconsumed.push(c.unconsumed.slice());
      this.conns.set(c.conn, {
        regenerable: c.regenerable,
        appState: c.appState,
        written: c.written,
        delivered: c.delivered,
        unconsumed,
      });
    }
  }

  /** The socket-layer state of every SSO connection (a board handing over keeps replaying it). */
  exportConns(): {
    conn: ConnId;
    regenerable: boolean;
    appState: Uint8Array;
    written: number;
    delivered: number;
    unconsumed: Uint8Array;
  }[] {
    this.flushHeld();
    return this.ssoConnections().map((conn) => {
      const st = this.conns.get(conn)!;
      return {
        conn,
        regenerable: st.regenerable,
        appState: st.appState,
        written: st.written,
        delivered: st.delivered,
        unconsumed: st.unconsumed.concat(),
      };
    });
  }

  /** Active open; with `sso` the connection is replicated from its SYN on. */
  connect(input: Extract<TcpInput, { kind: 'connect' }>, sso?: SsoAttributes): HandleResult {
    this.pendingConnect = sso;
    try {
      return this.handle(input);
    } finally {
      this.pendingConnect = undefined;
    }
  }

  /**
   * Write the held records, if any (the socket layer's turn is over, or another input comes).
   * `next`: the input about to be handled; a `consume` of all the held bytes sends their
   * lengths only, in a consumed record that stands for it (true returned: it needs no record).
   */
  flushHeld(next?: TcpInput): boolean {
    const conn = this.held.heldConn;
    if (conn === undefined) return false;
    const st = this.conns.get(conn);
    const consumesAll =
      next?.kind === 'consume' &&
      next.conn === conn &&
      st !== undefined &&
      next.n === st.unconsumed.length;
    this.held.flush(consumesAll ? next.now : undefined);
    return consumesAll;
  }

  /**
   * What an output returned with `dependsOn` depends on now: `AWAITING_RECORDS` becomes the
   * index of its records once they are written (HeldRecords); any other value stays.
   */
  dependencyNow(dependsOn: number): number {
    return dependsOn === AWAITING_RECORDS ? this.held.awaitedIndex() : dependsOn;
  }

  /** Every input goes through here (a global timer becomes per-connection timer inputs). */
  handle(input: TcpInput): HandleResult {
    const inConsumedRecord = this.flushHeld(input);
    this.lastNow = input.now;
    if (input.kind === 'timer' && input.conn === undefined) {
      return this.each(this.engine.takeDueConnections(input.now), (conn) => ({ ...input, conn }));
    }
    if (input.kind === 'resume' && input.conn === undefined) {
      return this.each(this.engine.connections(), (conn) => ({ ...input, conn }));
    }
    if (input.kind === 'listen' || input.kind === 'unlisten') {
      return { outputs: this.engine.handle(input), dependsOn: 0 };
    }
    const conn = this.concerned(input);
    const st = conn === undefined ? undefined : this.conns.get(conn);
    const firstNew = this.engine.nextId;
    // A segment to an app that has read everything may be consumed at once: keep its records.
    if (
      input.kind === 'segment' &&
      conn !== undefined &&
      st &&
      st.unconsumed.length === 0 &&
      st.delivered >= HEAD_BYTES &&
      this.sink.replicating?.() === true
    )
      this.held.startCapture();
    let handled = false;
    let outputs: TcpOutput[];
    try {
      outputs = this.engine.handle(input);
      this.dependsOn = 0;
      if (conn !== undefined && st) this.recordAppState(conn, st);
      if (inConsumedRecord && st && input.kind === 'consume') {
        st.unconsumed.drop(input.n);
        this.dependsOn = Math.max(this.dependsOn, this.held.awaitedIndex());
      } else if (conn !== undefined && st) this.recordInput(conn, st, input, outputs);
      // Most inputs create no connection: no set to build then.
      const chosenId = input.kind === 'connect' ? input.connId : undefined;
      if (firstNew < this.engine.nextId || chosenId !== undefined) {
        const fresh = new Set<ConnId>();
        for (let id = firstNew; id < this.engine.nextId; id++) fresh.add(id);
        if (chosenId !== undefined) fresh.add(chosenId);
        for (const id of fresh) this.created(id, input);
      }
      this.afterEvents(outputs, conn);
      handled = true;
    } finally {
      // Held for the app's turn, or written now (always when the input threw).
      const entries = this.held.endCapture(conn, handled);
      if (entries === null) this.dependsOn = AWAITING_RECORDS;
      else for (const e of entries) this.put(e);
    }
    return { outputs, dependsOn: this.dependsOn };
  }

  /** Control blocks of every SSO connection (bulk sync), or of one (resync). */
  snapshots(conn: ConnId | null, now = this.lastNow): Omit<SnapshotRecord, 'kind'>[] {
    this.flushHeld(); // a snapshot counts those bytes: their records go first
    const ids = conn === null ? this.ssoConnections() : this.conns.has(conn) ? [conn] : [];
    return ids
      .filter((id) => this.engine.info(id) !== undefined)
      .map((id) => ({ conn: id, at: now, snapshot: this.socketSnapshot(id) }));
  }

  private each(ids: ConnId[], make: (conn: ConnId) => TcpInput): HandleResult {
    const outputs: TcpOutput[] = [];
    let dependsOn = 0;
    for (const conn of ids) {
      if (!this.engine.info(conn)) continue;
      const r = this.handle(make(conn));
      outputs.push(...r.outputs);
      if (r.dependsOn > 0) dependsOn = r.dependsOn;
    }
    return { outputs, dependsOn };
  }

  /** Append one entry for the input being handled (a method: no closure per input). */
  private put(e: LogEntry): void {
    if (this.held.take(e)) return;
    const i = this.append(e);
    if (i > 0) this.dependsOn = i;
  }

  private append(e: LogEntry): number {
    this.stats.records++;
    if (e.kind === 'tcp') this.stats.tcpRecords++;
    else if (e.kind === 'socket-data') this.stats.socketDataBytes += e.bytes.length;
    else if (e.kind === 'consumed') this.stats.consumedBytes += e.length;
    return this.sink.replicate(e);
  }

  private concerned(input: TcpInput): ConnId | undefined {
    switch (input.kind) {
      case 'segment':
        return this.engine.lookup(input.segment.dstPort, input.src, input.segment.srcPort);
      case 'connect':
      case 'listen':
      case 'unlisten':
        return undefined;
      default:
        return input.conn;
    }
  }

  private recordInput(conn: ConnId, st: SsoConn, input: TcpInput, outputs: TcpOutput[]): void {
    let detail: Uint8Array;
    if (input.kind === 'send') {
      const offset = st.written;
      st.written += input.bytes.length;
      if (!st.regenerable || this.appState(conn) === null) {
        this.put({ kind: 'socket-data', conn, direction: 'written', offset, bytes: input.bytes });
      }
      detail = encodeSendDetail({ offset, length: input.bytes.length });
    } else {
      detail = encodeInputDetail(input);
    }
    if (input.kind === 'consume') st.unconsumed.drop(input.n);
    for (const o of outputs) {
      if (o.kind !== 'data' || o.conn !== conn) continue;
      const bytes = o.bytes.slice();
      this.put({ kind: 'socket-data', conn, direction: 'delivered', offset: st.delivered, bytes });
      st.delivered += bytes.length;
      st.unconsumed.push(bytes);
    }
    const vars = this.engine.digest(conn);
    if (!vars) return; // gone: the closed record says so
    const seg = input.kind === 'segment' ? input.segment : undefined;
    this.put({
      kind: 'tcp',
      conn,
      event: input.kind as Exclude<TcpInput['kind'], 'listen' | 'unlisten'>,
      at: input.now,
      ...(seg
        ? {
            header: {
              seq: seg.seq,
              ack: seg.ack,
              flags: seg.flags,
              window: seg.window,
              length: seg.payload.length,
            },
          }
        : {}),
      vars,
      detail,
    });
  }

  private recordAppState(conn: ConnId, st: SsoConn): void {
    const now = this.appState(conn);
    if (!now || equalBytes(now, st.appState)) return;
    st.appState = now.slice();
    this.put({ kind: 'app', conn, data: st.appState });
  }

  private created(id: ConnId, input: TcpInput): void {
    const info = this.engine.info(id);
    if (!info) return;
    const attrs =
      input.kind === 'connect' ? this.pendingConnect : this.ssoPorts.get(info.listenPort);
    if (!attrs) return;
    this.conns.set(id, {
      regenerable: attrs.regenerable === true,
      appState: new Uint8Array(0),
      written: 0,
      delivered: 0,
      unconsumed: new ChunkQueue(),
    });
    this.putSnapshot(id, input.now);
  }

  /** Snapshot on establishment; closed record (and forget) when an SSO connection is gone. */
  private afterEvents(outputs: TcpOutput[], conn: ConnId | undefined): void {
    // Built only when something closed (most inputs close nothing).
    let closed: Map<ConnId, ClosedRecord['reason']> | undefined;
    for (const o of outputs) {
      if (o.kind !== 'event' || !this.conns.has(o.conn)) continue;
      if ((o.event === 'established' || o.event === 'accepted') && this.engine.info(o.conn))
        this.putSnapshot(o.conn, this.lastNow);
      if (o.event === 'closed') {
        closed = closed ?? new Map();
        closed.set(o.conn, o.error ?? 'orderly');
      }
    }
    if (
      conn !== undefined &&
      this.conns.has(conn) &&
      !this.engine.info(conn) &&
      !closed?.has(conn)
    ) {
      closed = closed ?? new Map();
      closed.set(conn, 'orderly');
    }
    if (!closed) return;
    for (const [id, reason] of closed) {
      if (this.engine.info(id)) continue;
      this.conns.delete(id);
      this.put({ kind: 'closed', conn: id, at: this.lastNow, reason });
    }
  }

  private putSnapshot(id: ConnId, now: number): void {
    this.put({ kind: 'snapshot', conn: id, at: now, snapshot: this.socketSnapshot(id) });
    this.stats.snapshots++;
  }

  /**
   * A regenerable app's queued output goes as its length only, like its writes: the standby
   * regenerates it at takeover from the offsets and the app state the snapshot carries. So
   * bulk syncs and switchovers do not grow with the send buffers.
   */
  private socketSnapshot(id: ConnId): Uint8Array {
    const st = this.conns.get(id)!;
    const app = st.regenerable ? this.appState(id) : null;
    const regenerates = st.regenerable && app !== null;
    return encodeSocketSnapshot({
      regenerable: st.regenerable,
      written: st.written,
      delivered: st.delivered,
      unconsumed: st.unconsumed.concat(),
      appState: app ?? st.appState,
      tcb: this.engine.snapshotConnection(id, { sendQueueAsLength: regenerates }),
    });
  }
}

function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
