/**
 * The TCP engine: routes inputs to connections and listeners, keeps the timer index, and
 * serialises itself. Pure: no clock, no randomness, no I/O (see api.ts).
 */
import { TcpFlag, type TcpSegment } from '../wire/tcp-types.ts';
import type {
  Addr,
  ConnId,
  ConnInfo,
  ConnOptions,
  SnapshotOptions,
  TcbDigest,
  TcpConfig,
  TcpEngineApi,
  TcpInput,
  TcpOutput,
} from './api.ts';
import { TcpState } from './api.ts';
import {
  appAbort,
  appClose,
  appConsume,
  appResume,
  appSend,
  appSetOptions,
  appShutdown,
} from './app.ts';
import { ConnTable, type Listener } from './conn-table.ts';
import type { Ctx, ResolvedConfig } from './context.ts';
import { createTcb, resolveConfig, resolveOptions } from './create.ts';
import { TcpError } from './errors.ts';
import { applySynOptions, segmentArrives } from './input.ts';
import { initialSequence } from './isn.ts';
import { closeConn } from './lifecycle.ts';
import { rstReply, transmit } from './output.ts';
import { rebaseTcb } from './rebase.ts';
import { seqGt } from './seq.ts';
import { readEngine, writeEngine } from './serialize.ts';
import { digestOf, restoreTcb, serializeTcb, type Tcb } from './tcb.ts';
import { fireTimers } from './timers.ts';

export type { Listener };

export class TcpEngine implements TcpEngineApi {
  readonly cfg: ResolvedConfig;
  readonly listeners = new Map<number, Listener>();
  nextId = 1;
  private readonly table = new ConnTable();
  private readonly ctx: Ctx;

  constructor(config: TcpConfig) {
    this.cfg = resolveConfig(config);
    this.ctx = {
      cfg: this.cfg,
      now: 0,
      out: [],
      deferAck: false,
      payloads: true,
      remove: (t) => this.table.drop(t),
    };
  }

  /**
   * Data outputs carry the queued bytes (default), or zero-filled stand-ins of the same length:
   * a standby replaying only needs the state and drops the outputs, so it reads no bytes.
   */
  set outputPayloads(on: boolean) {
    this.ctx.payloads = on;
  }

  /** Connections by id (read-only use outside the engine: tests, diagnostics). */
  get conns(): ReadonlyMap<ConnId, Tcb> {
    return this.table.conns;
  }

  handle(input: TcpInput): TcpOutput[] {
    const out: TcpOutput[] = [];
    this.ctx.out = out;
    this.ctx.now = input.now;
    switch (input.kind) {
      case 'segment':
        this.ctx.deferAck = input.defer === true;
        try {
          this.segment(input.src, input.dst, input.segment);
        } finally {
          this.ctx.deferAck = false;
        }
        break;

      case 'listen':
        this.listen(input.port, input.backlog, input.opts);
        break;
      case 'unlisten':
        this.listeners.delete(input.port);
        break;
      case 'connect':
        this.connect(input);
        break;
      case 'send':
        this.onConn(input.conn, (t) => appSend(this.ctx, t, input.bytes));
        break;
      case 'consume':
        this.onConn(input.conn, (t) => appConsume(this.ctx, t, input.n));
        break;
      case 'setopt':
        this.onConn(input.conn, (t) => appSetOptions(this.ctx, t, input.opts));
        break;
      case 'shutdown':
        this.onConn(input.conn, (t) => appShutdown(this.ctx, t));
        break;
      case 'close':
        this.onConn(input.conn, (t) => appClose(this.ctx, t));
        break;
      case 'abort':
        this.onConn(input.conn, (t) => appAbort(this.ctx, t));
        break;
      case 'timer': {
        // Only connections with a deadline actually due: the timer index may hold stale entries,
        // and which ones depends on history (a restored engine has none).
        const ids = input.conn === undefined ? this.takeDueConnections(input.now) : [input.conn];
        for (const id of ids) this.onConn(id, (t) => fireTimers(this.ctx, t));
        break;
      }
      case 'resume': {
        const ids = input.conn === undefined ? this.table.ids() : [input.conn];
        const discard = input.discardOutOfOrder === true;
        for (const id of ids) this.onConn(id, (t) => appResume(this.ctx, t, discard));
        break;
      }
    }
    return out;
  }

  private tcb(conn: ConnId): Tcb {
    const t = this.table.conns.get(conn);
    if (!t) throw new TcpError('TCP_NO_CONNECTION', `no connection ${conn}`);
    return t;
  }

  /** Run fn on a connection, then keep the listener count and timer index up to date. */
  private onConn(conn: ConnId, fn: (t: Tcb) => void): void {
    const t = this.tcb(conn);
    const pending = t.passive && t.state === TcpState.SYN_RECEIVED;
    fn(t);
    if (pending && !(t.passive && t.state === TcpState.SYN_RECEIVED)) {
      const l = this.listeners.get(t.listenPort);
      if (l && l.pending > 0) l.pending--;
    }
    if (this.table.conns.get(conn) === t) this.table.schedule(t);
  }

  private listen(port: number, backlog: number, opts: ConnOptions | undefined): void {
    if (this.listeners.has(port)) {
      throw new TcpError('TCP_PORT_IN_USE', `port ${port} already listening`);
    }
    const resolved = resolveOptions(this.cfg, opts);
    this.listeners.set(port, { port, backlog: Math.max(1, backlog), opts: resolved, pending: 0 });
  }

  private connect(input: Extract<TcpInput, { kind: 'connect' }>): void {
    const { localPort, remoteAddr, remotePort, now } = input;
    if (this.table.lookup(localPort, remoteAddr, remotePort) !== undefined) {
      throw new TcpError(
        'TCP_PORT_IN_USE',
        `connection to ${remoteAddr}:${remotePort} from port ${localPort} exists`,
      );
    }
    const secret = this.cfg.isnSecret;
    const t = createTcb(this.cfg, {
      id: this.allocId(input.connId),
      state: TcpState.SYN_SENT,
      localPort,
      remoteAddr,
      remotePort,
      listenPort: -1,
      iss:
        input.isn ??
        initialSequence(secret, now, this.cfg.localAddr, localPort, remoteAddr, remotePort),
      now,
      opts: resolveOptions(this.cfg, input.opts),
    });
    this.table.add(t);
    this.onConn(t.id, (c) => transmit(this.ctx, c));
  }

  private allocId(wanted: ConnId | undefined): ConnId {
    if (wanted !== undefined) {
      if (this.table.conns.has(wanted)) {
        throw new TcpError('TCP_CONN_ID_IN_USE', `connection id ${wanted} in use`);
      }
      this.nextId = Math.max(this.nextId, wanted + 1);
      return wanted;
    }
    while (this.table.conns.has(this.nextId)) this.nextId++;
    return this.nextId++;
  }

  private segment(src: Addr, dst: Addr, seg: TcpSegment): void {
    if (dst >>> 0 !== this.cfg.localAddr) return;
    const id = this.table.lookup(seg.dstPort, src, seg.srcPort);
    if (id !== undefined) {
      const t = this.table.conns.get(id)!;
      if (!this.reusesTimeWait(t, seg)) {
        this.onConn(id, (c) => segmentArrives(this.ctx, c, seg));
        return;
      }
      this.onConn(id, (c) => closeConn(this.ctx, c));
    }
    const l = this.listeners.get(seg.dstPort);
    if (!l || seg.flags & TcpFlag.ACK) {
      rstReply(this.ctx.out, this.cfg.localAddr, src, seg); // RFC 9293 3.10.7.1/3.10.7.2
      return;
    }
    if (seg.flags & (TcpFlag.RST | TcpFlag.FIN) || !(seg.flags & TcpFlag.SYN)) return;
    if (l.pending >= l.backlog) return; // full: the peer retries its SYN
    this.passiveOpen(l, src, seg);
  }

  private passiveOpen(l: Listener, src: Addr, seg: TcpSegment): void {
    const now = this.ctx.now;
    const local = this.cfg.localAddr;
    const t = createTcb(this.cfg, {
      id: this.allocId(undefined),
      state: TcpState.SYN_RECEIVED,
      localPort: seg.dstPort,
      remoteAddr: src,
      remotePort: seg.srcPort,
      listenPort: l.port,
      iss: initialSequence(this.cfg.isnSecret, now, local, seg.dstPort, src, seg.srcPort),
      now,
      opts: l.opts,
    });
    applySynOptions(this.ctx, t, seg);
    this.table.add(t);
    l.pending++;
    this.onConn(t.id, (c) => transmit(this.ctx, c));
  }

  /** A new SYN beyond the old sequence space may take over a TIME-WAIT connection (as BSD/Linux). */
  private reusesTimeWait(t: Tcb, seg: TcpSegment): boolean {
    return (
      t.state === TcpState.TIME_WAIT &&
      (seg.flags & (TcpFlag.SYN | TcpFlag.ACK | TcpFlag.RST)) === TcpFlag.SYN &&
      seqGt(seg.seq, t.rcvNxt) &&
      this.listeners.has(t.localPort)
    );
  }

  nextDeadline(): number {
    return this.table.nextDeadline();
  }

  dueConnections(now: number): ConnId[] {
    return this.table.peekDue(now);
  }

  takeDueConnections(now: number): ConnId[] {
    const ids: ConnId[] = [];
    for (const id of this.table.popDue(now)) {
      if (this.table.isDue(id, now)) ids.push(id);
      else this.table.schedule(this.table.conns.get(id)!); // stale entry: deadline moved later
    }
    return ids;
  }

  lookup(localPort: number, remoteAddr: Addr, remotePort: number): ConnId | undefined {
    return this.table.lookup(localPort, remoteAddr, remotePort);
  }

  info(conn: ConnId): ConnInfo | undefined {
    const t = this.table.conns.get(conn);
    if (!t) return undefined;
    return {
      id: t.id,
      state: t.state,
      localAddr: t.localAddr,
      localPort: t.localPort,
      remoteAddr: t.remoteAddr,
      remotePort: t.remotePort,
      sendQueued: t.sendQueue.length,
      rcvUnconsumed: t.rcvUnconsumed,
      listenPort: t.listenPort,
    };
  }

  connections(): ConnId[] {
    return this.table.ids();
  }

  digest(conn: ConnId): TcbDigest | undefined {
    const t = this.table.conns.get(conn);
    return t ? digestOf(t) : undefined;
  }

  snapshotConnection(conn: ConnId, opts?: SnapshotOptions): Uint8Array {
    return serializeTcb(this.tcb(conn), opts);
  }

  restoreConnection(bytes: Uint8Array): ConnId {
    const t = restoreTcb(bytes);
    const old = this.table.conns.get(t.id);
    if (old) this.table.drop(old);
    const other = this.table.lookup(t.localPort, t.remoteAddr, t.remotePort);
    if (other !== undefined) this.table.drop(this.table.conns.get(other)!);
    this.table.add(t);
    this.nextId = Math.max(this.nextId, t.id + 1);
    return t.id;
  }

  /**
   * Replace a connection's unacknowledged and unsent bytes by `bytes` (the same length): a
   * standby that replayed stand-ins for a regenerable stream puts the real bytes in before it
   * takes over.
   */
  rewriteSendQueue(conn: ConnId, bytes: Uint8Array): void {
    const t = this.tcb(conn);
    if (bytes.length !== t.sendQueue.length)
      throw new TcpError(
        'TCP_BAD_STATE',
        `rewriteSendQueue: ${bytes.length} bytes for ${t.sendQueue.length} queued on ${conn}`,
      );
    t.sendQueue.replaceAll(bytes);
  }

  removeConnection(conn: ConnId): void {
    const t = this.table.conns.get(conn);
    if (t) this.table.drop(t);
  }

  serialize(): Uint8Array {
    return writeEngine(this);
  }

  rebase(deltaMs: number, conn?: ConnId): void {
    for (const id of conn === undefined ? this.table.ids() : [conn])
      rebaseTcb(this.tcb(id), deltaMs);
    this.table.rebuild(this.listeners);
  }

  /** For restoreEngine: add a connection read from a snapshot, then call `rebuild()`. */
  install(t: Tcb): void {
    this.table.add(t);
  }

  rebuild(): void {
    this.table.rebuild(this.listeners);
  }
}

/** Rebuild an engine from `serialize()` output. */
export function restoreEngine(bytes: Uint8Array): TcpEngine {
  return readEngine(bytes, (cfg) => new TcpEngine(cfg));
}
