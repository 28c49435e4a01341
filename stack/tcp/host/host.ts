/**
 * The non-pure side of TCP: drives the deterministic engine with real time
 * (one timer at its next deadline), carries its segments to the link, and
 * offers applications sockets (AppNet). Every engine input goes through
 * step(); app callbacks run after the step's outputs are all processed, so
 * they never nest inside engine output handling.
 */
import { formatIpv4, parseIpv4 } from '../../wire/address.ts';
import type { TcpSegment } from '../../wire/tcp-types.ts';
import {
  type Addr,
  type ConnId,
  type ConnOptions,
  type TcpEngineApi,
  type TcpErrorKind,
  type TcpInput,
  type TcpOutput,
  TcpState,
} from '../api.ts';
import { DEFAULT_SND_BUF } from '../create.ts';
import {
  type Clock,
  DeadlineTimer,
  monotonicClock,
  nodeScheduler,
  type Scheduler,
} from './clock.ts';
import { EphemeralPorts } from './ephemeral.ts';
import type { AdoptState, TcpHostOptions } from './host-types.ts';
import { closeError, engineOptions, HostSocket, type SocketOwner } from './socket.ts';
import {
  type AppListener,
  type AppNet,
  type AppSocket,
  type ConnectOptions,
  type ListenOptions,
  SocketError,
  type SocketOptions,
} from './socket-api.ts';

export type { AdoptState, HostObserver, TcpHostOptions } from './host-types.ts';

interface ListenerEntry extends AppListener {
  opts: ListenOptions;
  onConnection(socket: AppSocket): void;
}

export class TcpHost implements AppNet, SocketOwner {
  readonly engine: TcpEngineApi;
  readonly clock: Clock;
  private readonly scheduler: Scheduler;
  private readonly timer: DeadlineTimer;
  private readonly sockets = new Map<ConnId, HostSocket>();
  private readonly listeners = new Map<number, ListenerEntry>();
  /** Data for an accepted connection that arrived before its socket existed. */
  private readonly early = new Map<ConnId, Uint8Array[]>();
  /** Connections the app saw close while the engine still holds them (TIME-WAIT). */
  private readonly retired = new Set<ConnId>();
  private readonly deferred: (() => void)[] = [];
  private delivering = false;
  private readonly ports: EphemeralPorts;
  private stopped = false;
  readonly counters = { inputs: 0, segmentsIn: 0, segmentsOut: 0, engineErrors: 0 };

  constructor(private readonly opts: TcpHostOptions) {
    this.engine = opts.engine;
    this.clock = opts.clock ?? monotonicClock;
    this.scheduler = opts.scheduler ?? nodeScheduler;
    this.timer = new DeadlineTimer(this.clock, this.scheduler, (now) =>
      this.run({ kind: 'timer', now }),
    );
    this.ports = new EphemeralPorts(opts.ephemeralPorts ?? [49152, 65535]);
  }

  // ---- link side ----

  /** A TCP segment addressed to us arrived. Never throws. */
  receive(src: Addr, dst: Addr, segment: TcpSegment): void {
    this.counters.segmentsIn++;
    this.run({ kind: 'segment', now: this.clock.now(), src, dst, segment });
  }

  /** Stop the timer and every connect timer; connections are left as they are. */
  stop(): void {
    this.stopped = true;
    this.timer.cancel();
    for (const s of this.sockets.values()) this.clearConnectTimer(s);
  }

  // ---- AppNet ----

  listen(port: number, opts: ListenOptions, onConnection: (s: AppSocket) => void): AppListener {
    if (this.listeners.has(port))
      throw new SocketError('in-use', `port ${port} is already listened on`);
    const entry: ListenerEntry = {
      port,
      opts,
      onConnection,
      close: () => {
        if (this.listeners.get(port) !== entry) return;
        this.listeners.delete(port);
        this.run({ kind: 'unlisten', now: this.clock.now(), port });
      },
    };
    this.listeners.set(port, entry);
    this.run({
      kind: 'listen',
      now: this.clock.now(),
      port,
      backlog: opts.backlog ?? 128,
      opts: engineOptions(this.withBuffers(opts)),
    });
    return entry;
  }

  connect(opts: ConnectOptions): AppSocket {
    const remoteAddr = parseIpv4(opts.host);
    const localPort =
      opts.localPort ??
      this.ports.pick(
        (port) =>
          !this.listeners.has(port) &&
          this.engine.lookup(port, remoteAddr, opts.port) === undefined,
        `${opts.host}:${opts.port}`,
      );
    if (this.engine.lookup(localPort, remoteAddr, opts.port) !== undefined) {
      throw new SocketError(
        'in-use',
        `local port ${localPort} is in use towards ${opts.host}:${opts.port}`,
      );
    }
    const input: TcpInput = {
      kind: 'connect',
      now: this.clock.now(),
      localPort,
      remoteAddr,
      remotePort: opts.port,
      opts: engineOptions(this.withBuffers(opts)),
    };
    if (opts.isn !== undefined) input.isn = opts.isn >>> 0;
    const outputs = this.handle(input);
    const id = this.engine.lookup(localPort, remoteAddr, opts.port);
    if (id === undefined) {
      throw new SocketError('closed', `connect to ${opts.host}:${opts.port} created no connection`);
    }
    const socket = this.newSocket(id, localPort, remoteAddr, opts.port, opts);
    const timeoutMs = opts.timeoutMs ?? 20_000;
    socket.connectTimer = this.scheduler.schedule(timeoutMs, () => {
      socket.connectTimer = undefined;
      if (socket.connected || socket.destroyed) return;
      socket.pendingError = 'timed-out';
      this.run({ kind: 'abort', now: this.clock.now(), conn: socket.id });
    });
    this.process(input, outputs);
    this.deliver();
    return socket;
  }

  /**
   * A socket for a connection installed in the engine from elsewhere (restored from a
   * snapshot after takeover): counters continue, unread bytes are handed to the app again.
   */
  adopt(conn: ConnId, state: AdoptState = {}): AppSocket {
    const info = this.engine.info(conn);
    if (!info) throw new SocketError('closed', `no connection ${conn} to adopt`);
    if (this.sockets.has(conn))
      throw new SocketError('in-use', `connection ${conn} already has a socket`);
    const opts: SocketOptions = {};
    if (state.sso !== undefined) opts.sso = state.sso;
    if (state.outputRegenerable !== undefined) opts.outputRegenerable = state.outputRegenerable;
    const socket = this.newSocket(conn, info.localPort, info.remoteAddr, info.remotePort, opts);
    socket.takeOver(info.state, state);
    if (!this.stopped) this.timer.arm(this.engine.nextDeadline());
    return socket;
  }

  /** Run what adopt() queued for the apps (call once they are attached). */
  flush(): void {
    this.deliver();
  }

  /** After takeover: retransmit what is unacknowledged and ACK, now (all connections or one). */
  resume(conn?: ConnId): void {
    const input: TcpInput = { kind: 'resume', now: this.clock.now() };
    if (conn !== undefined) input.conn = conn;
    this.run(input);
  }

  // ---- SocketOwner ----

  send(socket: HostSocket, bytes: Uint8Array): void {
    this.opts.observer?.written?.(socket, bytes);
    this.run({ kind: 'send', now: this.clock.now(), conn: socket.id, bytes });
  }

  sendQueued(socket: HostSocket): number {
    return this.engine.info(socket.id)?.sendQueued ?? 0;
  }

  consume(socket: HostSocket, n: number): void {
    if (n > 0 && !socket.destroyed)
      this.run({ kind: 'consume', now: this.clock.now(), conn: socket.id, n });
  }

  shutdown(socket: HostSocket): void {
    this.run({ kind: 'shutdown', now: this.clock.now(), conn: socket.id });
  }

  close(socket: HostSocket): void {
    this.run({ kind: 'close', now: this.clock.now(), conn: socket.id });
  }

  abort(socket: HostSocket): void {
    this.run({ kind: 'abort', now: this.clock.now(), conn: socket.id });
  }

  setOptions(socket: HostSocket, opts: ConnOptions): void {
    this.run({ kind: 'setopt', now: this.clock.now(), conn: socket.id, opts });
  }

  defer(fn: () => void): void {
    this.deferred.push(fn);
  }

  deliverDeferred(): void {
    this.deliver();
  }

  // ---- introspection ----

  socket(id: ConnId): AppSocket | undefined {
    return this.sockets.get(id);
  }

  allSockets(): AppSocket[] {
    return [...this.sockets.values()];
  }

  status(): {
    connections: number;
    sso: number;
    listeners: number[];
    counters: TcpHost['counters'];
  } {
    let sso = 0;
    for (const s of this.sockets.values()) if (s.sso) sso++;
    return {
      connections: this.engine.connections().length,
      sso,
      listeners: [...this.listeners.keys()],
      counters: { ...this.counters },
    };
  }

  // ---- the engine step ----

  /** One input: engine, outputs, timer, then app callbacks (unless already delivering). */
  private run(input: TcpInput): void {
    if (this.stopped && input.kind === 'timer') return;
    const outputs = this.handle(input);
    this.process(input, outputs);
    this.deliver();
  }

  private handle(input: TcpInput): TcpOutput[] {
    this.counters.inputs++;
    try {
      return this.engine.handle(input);
    } catch (err) {
      // A bad segment or a misuse must never take the daemon down.
      this.counters.engineErrors++;
      this.opts.log?.({ msg: 'tcp engine refused input', input: input.kind, error: String(err) });
      return [];
    }
  }

  private process(input: TcpInput, outputs: TcpOutput[]): void {
    this.opts.observer?.step?.(input, outputs);
    for (const o of outputs) {
      switch (o.kind) {
        case 'segment':
          this.counters.segmentsOut++;
          this.opts.transmit(o.src, o.dst, o.segment);
          break;
        case 'data':
          this.onData(o.conn, o.bytes);
          break;
        case 'event':
          this.onEvent(o);
          break;
        case 'state':
          // TIME-WAIT belongs to the engine alone: for the app the socket is closed.
          if (o.to === TcpState.TIME_WAIT) {
            const socket = this.sockets.get(o.conn);
            if (socket) {
              this.retired.add(o.conn);
              this.onClosed(socket, undefined);
            }
          }
          break;
      }
    }
    if (!this.stopped) this.timer.arm(this.engine.nextDeadline());
  }

  private deliver(): void {
    if (this.delivering) return;
    this.delivering = true;
    // Callbacks may step the engine again; what they defer joins this same loop.
    for (let i = 0; i < this.deferred.length; i++) {
      try {
        this.deferred[i]!();
      } catch (err) {
        this.opts.log?.({ msg: 'application callback threw', error: String(err) });
      }
    }
    this.deferred.length = 0;
    this.delivering = false;
  }

  private onData(conn: ConnId, bytes: Uint8Array): void {
    const socket = this.sockets.get(conn);
    if (socket) {
      this.opts.observer?.delivered?.(socket, bytes);
      socket.received(bytes);
      return;
    }
    if (this.retired.has(conn)) return;
    const list = this.early.get(conn) ?? [];
    list.push(bytes);
    this.early.set(conn, list);
  }

  private onEvent(o: Extract<TcpOutput, { kind: 'event' }>): void {
    const socket = this.sockets.get(o.conn);
    switch (o.event) {
      case 'established':
        if (socket && !socket.connected) {
          socket.connected = true;
          this.clearConnectTimer(socket);
          this.defer(() => socket.emit('connect'));
        }
        break;
      case 'accepted':
        this.onAccepted(o.conn, o.port ?? -1, o.remoteAddr ?? 0, o.remotePort ?? 0);
        break;
      case 'peer-fin':
        socket?.peerFinished();
        break;
      case 'drain':
        socket?.drained();
        break;
      case 'closed':
        this.early.delete(o.conn);
        this.retired.delete(o.conn);
        if (socket) this.onClosed(socket, o.error);
        break;
    }
  }

  private onAccepted(conn: ConnId, port: number, remoteAddr: Addr, remotePort: number): void {
    const listener = this.listeners.get(port);
    if (!listener) {
      this.handleNested({ kind: 'abort', now: this.clock.now(), conn });
      return;
    }
    const socket = this.newSocket(conn, port, remoteAddr, remotePort, listener.opts);
    socket.connected = true;
    const early = this.early.get(conn);
    this.early.delete(conn);
    this.defer(() => listener.onConnection(socket));
    for (const bytes of early ?? []) {
      this.opts.observer?.delivered?.(socket, bytes);
      socket.received(bytes);
    }
  }

  private onClosed(socket: HostSocket, error: TcpErrorKind | undefined): void {
    socket.destroyed = true;
    this.sockets.delete(socket.id);
    this.clearConnectTimer(socket);
    const kind = socket.pendingError ?? (socket.abortedByApp ? undefined : error);
    if (kind === undefined) {
      socket.closedCleanly();
      return;
    }
    this.defer(() => {
      if (kind) socket.emit('error', closeError(kind, socket));
      socket.emit('close', kind !== undefined);
    });
  }

  /** An input decided while processing outputs: handled after the current list. */
  private handleNested(input: TcpInput): void {
    this.defer(() => this.run(input));
  }

  private newSocket(
    id: ConnId,
    localPort: number,
    remoteAddr: Addr,
    remotePort: number,
    opts: SocketOptions,
  ): HostSocket {
    const socket = new HostSocket(
      id,
      this,
      {
        localAddress: formatIpv4(this.opts.localAddr),
        localPort,
        remoteAddress: formatIpv4(remoteAddr),
        remotePort,
      },
      this.withBuffers(opts),
    );
    this.sockets.set(id, socket);
    return socket;
  }

  /** Always pass the send buffer explicitly so host and engine agree on back-pressure. */
  private withBuffers<T extends SocketOptions>(opts: T): T & { sndBuf: number } {
    return { ...opts, sndBuf: opts.sndBuf ?? this.opts.sndBuf ?? DEFAULT_SND_BUF };
  }

  private clearConnectTimer(socket: HostSocket): void {
    if (socket.connectTimer !== undefined) this.scheduler.cancel(socket.connectTimer);
    socket.connectTimer = undefined;
  }
}
