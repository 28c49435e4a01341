/**
 * One connection as an application sees it. The socket holds what the engine
 * does not: bytes delivered but not yet read, the app's event listeners, and
 * the per-socket flags HA needs (sso, outputRegenerable). Engine calls go
 * through the SocketOwner (the host), which owns time and I/O.
 */
import { type ConnId, type ConnOptions, type TcpErrorKind, TcpState } from '../api.ts';
import {
  type AppSocket,
  SocketError,
  type SocketEvents,
  type SocketOptions,
} from './socket-api.ts';

/** What a socket needs from its host. */
export interface SocketOwner {
  send(socket: HostSocket, bytes: Uint8Array): void;
  /** Bytes queued in the engine for sending (unsent + unacknowledged). */
  sendQueued(socket: HostSocket): number;
  consume(socket: HostSocket, n: number): void;
  shutdown(socket: HostSocket): void;
  close(socket: HostSocket): void;
  abort(socket: HostSocket): void;
  setOptions(socket: HostSocket, opts: ConnOptions): void;
  /** Run fn after the current engine step (app callbacks never nest inside one). */
  defer(fn: () => void): void;
  /** Run what is deferred now unless a step is delivering (no step will come for a closed socket). */
  deliverDeferred(): void;
}

export interface SocketEndpoints {
  localAddress: string;
  localPort: number;
  remoteAddress: string;
  remotePort: number;
}

type Listeners = { [E in keyof SocketEvents]: SocketEvents[E][] };

const ERROR_TEXT: Record<TcpErrorKind, string> = {
  reset: 'connection reset by peer',
  'timed-out': 'connection timed out',
  refused: 'connection refused',
  aborted: 'connection aborted',
};

/** The error an app sees when its connection ends abnormally. */
export function closeError(kind: TcpErrorKind, socket: SocketEndpoints): SocketError {
  return new SocketError(kind, `${socket.remoteAddress}:${socket.remotePort}: ${ERROR_TEXT[kind]}`);
}

export function engineOptions(opts: SocketOptions): ConnOptions {
  const out: ConnOptions = {};
  if (opts.nagle !== undefined) out.nagle = opts.nagle;
  if (opts.keepalive !== undefined) out.keepalive = opts.keepalive;
  if (opts.userTimeoutMs !== undefined) out.userTimeoutMs = opts.userTimeoutMs;
  if (opts.rcvBuf !== undefined) out.rcvBuf = opts.rcvBuf;
  if (opts.sndBuf !== undefined) out.sndBuf = opts.sndBuf;
  return out;
}

export class HostSocket implements AppSocket {
  localAddress: string;
  localPort: number;
  remoteAddress: string;
  remotePort: number;
  sso: boolean;
  outputRegenerable: boolean;
  bytesRead = 0;
  bytesWritten = 0;
  readonly sndBuf: number;

  /** Established (connect seen or accepted). */
  connected = false;
  /** Gone from the engine: no more engine calls. */
  destroyed = false;
  /** The app called shutdown or close: no more writes. */
  writeEnded = false;
  /** The app called close or abort: incoming bytes are dropped. */
  readEnded = false;
  /** Why the socket is failing when the host aborts it itself (connect timeout). */
  pendingError: TcpErrorKind | undefined;
  abortedByApp = false;
  /** Host-side connect deadline handle. */
  connectTimer: unknown;

  private readonly rx: Uint8Array[] = [];
  private rxBytes = 0;
  private flowing = true;
  private peerEnded = false;
  private endEmitted = false;
  private needDrain = false;
  private flushQueued = false;
  /** A clean close the app must not see before it has read everything and got 'end'. */
  private closeAfterEnd = false;
  private readonly listeners: Listeners = {
    connect: [],
    data: [],
    end: [],
    drain: [],
    error: [],
    close: [],
  };

  constructor(
    readonly id: ConnId,
    private readonly owner: SocketOwner,
    endpoints: SocketEndpoints,
    opts: SocketOptions & { sndBuf: number },
  ) {
    this.localAddress = endpoints.localAddress;
    this.localPort = endpoints.localPort;
    this.remoteAddress = endpoints.remoteAddress;
    this.remotePort = endpoints.remotePort;
    this.sso = opts.sso ?? false;
    this.outputRegenerable = opts.outputRegenerable ?? false;
    this.sndBuf = opts.sndBuf;
  }

  on<E extends keyof SocketEvents>(event: E, listener: SocketEvents[E]): this {
    this.listeners[event].push(listener);
    return this;
  }

  off<E extends keyof SocketEvents>(event: E, listener: SocketEvents[E]): this {
    const list = this.listeners[event] as SocketEvents[E][];
    const i = list.indexOf(listener);
    if (i >= 0) list.splice(i, 1);
    return this;
  }

  emit<E extends keyof SocketEvents>(event: E, ...args: Parameters<SocketEvents[E]>): void {
    for (const fn of [...this.listeners[event]]) {
      (fn as (...a: Parameters<SocketEvents[E]>) => void)(...args);
    }
  }

  write(bytes: Uint8Array): boolean {
    if (this.writeEnded) throw new SocketError('closed', `socket ${this.id}: write after end`);
    // A connection the peer just reset: the app learns it from 'error' right after.
    if (this.destroyed) return false;
    if (bytes.length > 0) {
      this.bytesWritten += bytes.length;
      this.owner.send(this, bytes);
    }
    if (this.destroyed) return false;
    if (this.owner.sendQueued(this) >= this.sndBuf) {
      this.needDrain = true;
      return false;
    }
    return true;
  }

  shutdown(): void {
    if (this.writeEnded || this.destroyed) return;
    this.writeEnded = true;
    this.owner.shutdown(this);
  }

  close(): void {
    if (this.destroyed || this.readEnded) return;
    this.writeEnded = true;
    this.readEnded = true;
    this.dropReceived();
    this.owner.close(this);
  }

  abort(): void {
    if (this.destroyed) return;
    this.abortedByApp = true;
    this.writeEnded = true;
    this.readEnded = true;
    this.owner.abort(this);
  }

  pause(): void {
    this.flowing = false;
  }

  resume(): void {
    if (this.flowing) return;
    this.flowing = true;
    this.scheduleFlush();
    if (this.destroyed) this.owner.deliverDeferred(); // what is left of a closed connection
  }

  read(max = Number.POSITIVE_INFINITY): Uint8Array | null {
    if (this.rxBytes === 0) {
      this.scheduleFlush(); // may owe the app its 'end'
      if (this.destroyed) this.owner.deliverDeferred();
      return null;
    }
    const parts: Uint8Array[] = [];
    let taken = 0;
    while (this.rx.length > 0 && taken < max) {
      const head = this.rx[0]!;
      const want = max - taken;
      if (head.length <= want) {
        parts.push(head);
        taken += head.length;
        this.rx.shift();
      } else {
        parts.push(head.subarray(0, want));
        this.rx[0] = head.subarray(want);
        taken += want;
      }
    }
    this.rxBytes -= taken;
    this.owner.consume(this, taken);
    if (this.rxBytes === 0) {
      this.scheduleFlush();
      if (this.destroyed) this.owner.deliverDeferred();
    }
    return parts.length === 1 ? parts[0]! : Buffer.concat(parts);
  }

  setOptions(opts: SocketOptions): void {
    if (opts.sso !== undefined) this.sso = opts.sso;
    if (opts.outputRegenerable !== undefined) this.outputRegenerable = opts.outputRegenerable;
    const conn = engineOptions(opts);
    if (!this.destroyed && Object.keys(conn).length > 0) this.owner.setOptions(this, conn);
  }

  /** Bytes delivered but not yet read by the app. */
  get buffered(): number {
    return this.rxBytes;
  }

  /** A connection taken over from another board: counters continue, unread bytes come again. */
  takeOver(
    state: TcpState,
    from: { bytesRead?: number; bytesWritten?: number; unread?: Uint8Array },
  ): void {
    this.connected = state !== TcpState.SYN_SENT && state !== TcpState.SYN_RECEIVED;
    this.bytesWritten = from.bytesWritten ?? 0;
    this.bytesRead = from.bytesRead ?? 0;
    const weFinished: TcpState[] = [
      TcpState.FIN_WAIT_1,
      TcpState.FIN_WAIT_2,
      TcpState.CLOSING,
      TcpState.LAST_ACK,
    ];
    const peerFinished: TcpState[] = [TcpState.CLOSE_WAIT, TcpState.CLOSING, TcpState.LAST_ACK];
    if (weFinished.includes(state)) this.writeEnded = true;
    if (from.unread && from.unread.length > 0) this.received(from.unread);
    if (peerFinished.includes(state)) this.peerFinished();
  }

  // ---- called by the host while it processes engine outputs ----

  /**
   * The connection ended without error: 'close' now, or, when the app (paused) has not yet
   * read everything the peer sent or its end of stream, after the 'end' it is owed.
   */
  closedCleanly(): void {
    if (this.readEnded || (this.rxBytes === 0 && (this.endEmitted || !this.peerEnded))) {
      this.owner.defer(() => this.emit('close', false));
      return;
    }
    this.closeAfterEnd = true;
    this.scheduleFlush();
  }

  received(bytes: Uint8Array): void {
    if (this.readEnded) {
      this.owner.consume(this, bytes.length);
      return;
    }
    this.bytesRead += bytes.length;
    this.rx.push(bytes);
    this.rxBytes += bytes.length;
    this.scheduleFlush();
  }

  peerFinished(): void {
    this.peerEnded = true;
    this.scheduleFlush();
  }

  drained(): void {
    if (!this.needDrain) return;
    this.needDrain = false;
    this.owner.defer(() => this.emit('drain'));
  }

  private dropReceived(): void {
    if (this.rxBytes > 0 && !this.destroyed) this.owner.consume(this, this.rxBytes);
    this.rx.length = 0;
    this.rxBytes = 0;
  }

  private scheduleFlush(): void {
    if (this.flushQueued) return;
    this.flushQueued = true;
    this.owner.defer(() => {
      this.flushQueued = false;
      this.flush();
    });
  }

  /** Hand buffered bytes to a flowing app, then the end of stream once all is read. */
  private flush(): void {
    let delivered = 0;
    while (this.flowing && this.rx.length > 0 && !this.readEnded) {
      const chunk = this.rx.shift()!;
      this.rxBytes -= chunk.length;
      delivered += chunk.length;
      this.emit('data', chunk);
    }
    if (delivered > 0 && !this.destroyed) this.owner.consume(this, delivered);
    if (this.peerEnded && this.rxBytes === 0 && !this.endEmitted && !this.readEnded) {
      this.endEmitted = true;
      this.emit('end');
    }
    if (this.closeAfterEnd && this.rxBytes === 0 && (this.endEmitted || !this.peerEnded)) {
      this.closeAfterEnd = false;
      this.emit('close', false);
    }
  }
}
