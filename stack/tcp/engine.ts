/**
 * The TCP engine: routes inputs to connections and listeners, keeps the timer index, and
 * serialises itself. Pure: no clock, no randomness, no I/O (see api.ts).
 */

import { TcpFlag, type TcpSegment } from '../wire/tcp-types.ts';
import {
  type Addr,
  type ConnId,
  type ConnInfo,
  type ConnOptions,
  type TcbDigest,
  type TcpConfig,
  type TcpEngineApi,
  type TcpInput,
  type TcpOutput,
  TcpState,
} from './api.ts';
import {
  appAbort,
  appClose,
  appConsume,
  appResume,
  appSend,
  appSetOptions,
  appShutdown,
} from './app.ts';
import type { Ctx, ResolvedConfig } from './context.ts';
import { createTcb, type ResolvedOptions, resolveConfig, resolveOptions } from './create.ts';
import { TcpError } from './errors.ts';
import { applySynOptions, segmentArrives } from './input.ts';
import { initialSequence } from './isn.ts';
import { closeConn } from './lifecycle.ts';
import { rstReply, transmit } from './output.ts';
import { rebaseTcb } from './rebase.ts';
import { seqGt } from './seq.ts';
import { readEngine, writeEngine } from './serialize.ts';
import { digestOf, restoreTcb, serializeTcb, type Tcb, tcbDeadline } from './tcb.ts';
import { TimerHeap } from './timer-heap.ts';
import { fireTimers } from './timers.ts';

export interface Listener {
  port: number;
  backlog: number;
  opts: ResolvedOptions;
  /** Children in SYN-RECEIVED. */
  pending: number;
}

function tupleKey(localPort: number, remoteAddr: Addr, remotePort: number): string {
  return `${remoteAddr >>> 0}:${remotePort}:${localPort}`;
}

export class TcpEngine implements TcpEngineApi {
  readonly cfg: ResolvedConfig;
  readonly conns = new Map<ConnId, Tcb>();
  readonly listeners = new Map<number, Listener>();
  nextId = 1;
  private readonly byTuple = new Map<string, ConnId>();
  private readonly heap = new TimerHeap();
  private out: TcpOutput[] = [];
  private readonly ctx: Ctx;

  constructor(config: TcpConfig) {
    this.cfg = resolveConfig(config);
    this.ctx = { cfg: this.cfg, now: 0, out: this.out, remove: (t) => this.drop(t) };
  }

  handle(input: TcpInput): TcpOutput[] {
    const out: TcpOutput[] = [];
    this.out = out;
    this.ctx.out = out;
    this.ctx.now = input.now;
    switch (input.kind) {
      case 'segment':
        this.segment(input.src, input.dst, input.segment);
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
      case 'timer':
        this.timers(input.conn);
        break;
      case 'resume':
        for (const id of input.conn === undefined ? this.connections() : [input.conn]) {
          this.onConn(id, (t) => appResume(this.ctx, t, input.discardOutOfOrder === true));
        }
        break;
    }
    return out;
  }

  private tcb(conn: ConnId): Tcb {
    const t = this.conns.get(conn);
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
    if (this.conns.get(conn) === t) this.heap.schedule(conn, tcbDeadline(t));
  }

  private drop(t: Tcb): void {
    this.conns.delete(t.id);
    const key = tupleKey(t.localPort, t.remoteAddr, t.remotePort);
    if (this.byTuple.get(key) === t.id) this.byTuple.delete(key);
    this.heap.forget(t.id);
  }

  private listen(port: number, backlog: number, opts: ConnOptions | undefined): void {
    if (this.listeners.has(port))
      throw new TcpError('TCP_PORT_IN_USE', `port ${port} already listening`);
    this.listeners.set(port, {
      port,
      backlog: Math.max(1, backlog),
      opts: resolveOptions(this.cfg, opts),
      pending: 0,
    });
  }

  private connect(input: Extract<TcpInput, { kind: 'connect' }>): void {
    const key = tupleKey(input.localPort, input.remoteAddr, input.remotePort);
    if (this.byTuple.has(key)) {
      throw new TcpError('TCP_PORT_IN_USE', `connection ${key} exists`);
    }
    const id = this.allocId(input.connId);
    const iss =
      input.isn ??
      initialSequence(
        this.cfg.isnSecret,
        input.now,
        this.cfg.localAddr,
        input.localPort,
        input.remoteAddr,
        input.remotePort,
      );
    const t = createTcb(this.cfg, {
      id,
      state: TcpState.SYN_SENT,
      localPort: input.localPort,
      remoteAddr: input.remoteAddr,
      remotePort: input.remotePort,
      listenPort: -1,
      iss,
      now: input.now,
      opts: resolveOptions(this.cfg, input.opts),
    });
    this.add(t);
    this.onConn(id, (c) => transmit(this.ctx, c));
  }

  private allocId(wanted: ConnId | undefined): ConnId {
    if (wanted !== undefined) {
      if (this.conns.has(wanted))
        throw new TcpError('TCP_CONN_ID_IN_USE', `connection id ${wanted} in use`);
      this.nextId = Math.max(this.nextId, wanted + 1);
      return wanted;
    }
    while (this.conns.has(this.nextId)) this.nextId++;
    return this.nextId++;
  }

  private add(t: Tcb): void {
    this.conns.set(t.id, t);
    this.byTuple.set(tupleKey(t.localPort, t.remoteAddr, t.remotePort), t.id);
  }

  private segment(src: Addr, dst: Addr, seg: TcpSegment): void {
    if (dst >>> 0 !== this.cfg.localAddr) return;
    const id = this.byTuple.get(tupleKey(seg.dstPort, src, seg.srcPort));
    if (id !== undefined) {
      const t = this.conns.get(id)!;
      if (!this.reusesTimeWait(t, seg)) {
        this.onConn(id, (c) => segmentArrives(this.ctx, c, seg));
        return;
      }
      this.onConn(id, (c) => closeConn(this.ctx, c));
    }
    const l = this.listeners.get(seg.dstPort);
    if (!l) {
      rstReply(this.out, this.cfg.localAddr, src, seg);
      return;
    }
    if (seg.flags & TcpFlag.RST) return;
    if (seg.flags & TcpFlag.ACK) {
      rstReply(this.out, this.cfg.localAddr, src, seg);
      return;
    }
    if (!(seg.flags & TcpFlag.SYN) || seg.flags & TcpFlag.FIN) return;
    if (l.pending >= l.backlog) return; // full: the peer retries its SYN
    const now = this.ctx.now;
    const t = createTcb(this.cfg, {
      id: this.allocId(undefined),
      state: TcpState.SYN_RECEIVED,
      localPort: seg.dstPort,
      remoteAddr: src,
      remotePort: seg.srcPort,
      listenPort: l.port,
      iss: initialSequence(
        this.cfg.isnSecret,
        now,
        this.cfg.localAddr,
        seg.dstPort,
        src,
        seg.srcPort,
      ),
      now,
      opts: l.opts,
    });
    applySynOptions(this.ctx, t, seg);
    this.add(t);
    l.pending++;
    this.onConn(t.id, (c) => transmit(this.ctx, c));
  }

  /** A new SYN may take over a TIME-WAIT connection when its sequence is beyond ours (RFC 9293 3.10.7.4 note, as BSD/Linux). */
  private reusesTimeWait(t: Tcb, seg: TcpSegment): boolean {
    return (
      t.state === TcpState.TIME_WAIT &&
      (seg.flags & (TcpFlag.SYN | TcpFlag.ACK | TcpFlag.RST)) === TcpFlag.SYN &&
      seqGt(seg.seq, t.rcvNxt) &&
      this.listeners.has(t.localPort)
    );
  }

  private timers(only: ConnId | undefined): void {
    const ids = only === undefined ? this.heap.popDue(this.ctx.now) : [only];
    for (const id of ids) {
      const t = this.conns.get(id);
      if (!t) continue;
      this.onConn(id, (c) => fireTimers(this.ctx, c));
    }
  }

  nextDeadline(): number {
    return this.heap.peek();
  }

  dueConnections(now: number): ConnId[] {
    return this.heap.peekDue(now).filter((id) => {
      const t = this.conns.get(id);
      const d = t ? tcbDeadline(t) : -1;
      return d >= 0 && d <= now;
    });
  }

  takeDueConnections(now: number): ConnId[] {
    const ids: ConnId[] = [];
    for (const id of this.heap.popDue(now)) {
      const t = this.conns.get(id);
      if (!t) continue;
      const d = tcbDeadline(t);
      if (d >= 0 && d <= now) ids.push(id);
      else this.heap.schedule(id, d); // stale entry: the deadline moved later
    }
    return ids;
  }

  lookup(localPort: number, remoteAddr: Addr, remotePort: number): ConnId | undefined {
    return this.byTuple.get(tupleKey(localPort, remoteAddr, remotePort));
  }

  info(conn: ConnId): ConnInfo | undefined {
    const t = this.conns.get(conn);
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
    return [...this.conns.keys()].sort((a, b) => a - b);
  }

  digest(conn: ConnId): TcbDigest | undefined {
    const t = this.conns.get(conn);
    return t ? digestOf(t) : undefined;
  }

  snapshotConnection(conn: ConnId): Uint8Array {
    return serializeTcb(this.tcb(conn));
  }

  restoreConnection(bytes: Uint8Array): ConnId {
    const t = restoreTcb(bytes);
    const old = this.conns.get(t.id);
    if (old) this.drop(old);
    const key = tupleKey(t.localPort, t.remoteAddr, t.remotePort);
    const other = this.byTuple.get(key);
    if (other !== undefined) this.drop(this.conns.get(other)!);
    this.add(t);
    this.nextId = Math.max(this.nextId, t.id + 1);
    this.heap.schedule(t.id, tcbDeadline(t));
    return t.id;
  }

  removeConnection(conn: ConnId): void {
    const t = this.conns.get(conn);
    if (t) this.drop(t);
  }

  serialize(): Uint8Array {
    return writeEngine(this);
  }

  rebase(deltaMs: number, conn?: ConnId): void {
    for (const id of conn === undefined ? this.connections() : [conn])
      rebaseTcb(this.tcb(id), deltaMs);
    this.rebuildTimers();
  }

  /** Recompute listener counts and the timer index from the connections (after restore). */
  rebuildTimers(): void {
    this.heap.clear();
    for (const l of this.listeners.values()) l.pending = 0;
    for (const id of this.connections()) {
      const t = this.conns.get(id)!;
      this.heap.schedule(id, tcbDeadline(t));
      if (t.passive && t.state === TcpState.SYN_RECEIVED) {
        const l = this.listeners.get(t.listenPort);
        if (l) l.pending++;
      }
    }
  }

  /** Used by restoreEngine. */
  install(t: Tcb): void {
    this.add(t);
  }
}

/** Rebuild an engine from `serialize()` output. */
export function restoreEngine(bytes: Uint8Array): TcpEngine {
  return readEngine(bytes, (cfg) => new TcpEngine(cfg));
}
