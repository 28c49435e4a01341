/**
 * The socket interface applications on the stack are written against. The
 * host (host.ts) implements it over the engine; tests may implement it over
 * anything else.
 */

export type SocketErrorCode =
  /** The peer reset the connection. */
  | 'reset'
  /** Connect or retransmissions (or the user timeout) ran out of time. */
  | 'timed-out'
  /** The peer answered the SYN with RST: nothing listens there. */
  | 'refused'
  /** This side aborted the connection. */
  | 'aborted'
  /** Misuse: write after shutdown/close, or an operation on a closed socket. */
  | 'closed'
  /** Listen on a port already listened on, or connect from a local port in use. */
  | 'in-use';

export class SocketError extends Error {
  constructor(
    readonly code: SocketErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'SocketError';
  }
}

export interface SocketEvents {
  /** Active open completed. */
  connect: () => void;
  /** Bytes in order (flowing mode only; see pause/read). */
  data: (bytes: Uint8Array) => void;
  /** The peer sent FIN: no more data will arrive. */
  end: () => void;
  /** The send queue fell below half the send buffer after write() returned false. */
  drain: () => void;
  /** Abnormal end; 'close' follows. */
  error: (err: SocketError) => void;
  /** The connection is gone from the engine. */
  close: (hadError: boolean) => void;
}

export interface SocketOptions {
  /** Nagle's algorithm (default on). */
  nagle?: boolean;
  keepalive?: boolean;
  /** Abort when data stays unacknowledged this long (0 = off). */
  userTimeoutMs?: number;
  rcvBuf?: number;
  sndBuf?: number;
  /** Ask for stateful switchover of this connection (stored for HA). */
  sso?: boolean;
  /**
   * The application's output is a pure function of stream offsets and can be
   * regenerated after a takeover: its writes need not be mirrored (HA).
   */
  outputRegenerable?: boolean;
}

export interface AppSocket {
  readonly id: number;
  readonly localAddress: string;
  readonly localPort: number;
  readonly remoteAddress: string;
  readonly remotePort: number;
  readonly sso: boolean;
  readonly outputRegenerable: boolean;
  /** Bytes received from the peer so far (stream offset of the next byte). */
  readonly bytesRead: number;
  /** Bytes written by the application so far. */
  readonly bytesWritten: number;
  /** Send buffer: `write` says false once this many bytes wait unacknowledged. */
  readonly sndBuf: number;
  /**
   * Queue bytes; false when the send buffer is full (wait for 'drain'). The stack keeps a
   * reference until the peer acknowledges them: do not modify bytes after writing.
   */
  write(bytes: Uint8Array): boolean;
  /** Half-close: FIN after queued data; reading continues. */
  shutdown(): void;
  /** Orderly close of both directions. */
  close(): void;
  /** Reset the connection at once. */
  abort(): void;
  /** Stop 'data' events; bytes wait in the socket and the window closes. */
  pause(): void;
  resume(): void;
  /** Pull up to max buffered bytes (paused mode); null when none. */
  read(max?: number): Uint8Array | null;
  setOptions(opts: SocketOptions): void;
  on<E extends keyof SocketEvents>(event: E, listener: SocketEvents[E]): this;
  off<E extends keyof SocketEvents>(event: E, listener: SocketEvents[E]): this;
}

export interface ListenOptions extends SocketOptions {
  /** Connections in SYN-RECEIVED at once; further SYNs are dropped. Default 128. */
  backlog?: number;
}

export interface ConnectOptions extends SocketOptions {
  /** Dotted IPv4 address. */
  host: string;
  port: number;
  /** Local port; default an ephemeral one. */
  localPort?: number;
  /** Give up (error 'timed-out') when not established within this time. Default 20000. */
  timeoutMs?: number;
  /** Initial send sequence number (tests of wraparound); default the engine's RFC 6528 choice. */
  isn?: number;
}

export interface AppListener {
  readonly port: number;
  close(): void;
}

/** What an application needs from the stack. */
export interface AppNet {
  listen(port: number, opts: ListenOptions, onConnection: (socket: AppSocket) => void): AppListener;
  /** The socket emits 'connect' or 'error'. */
  connect(opts: ConnectOptions): AppSocket;
}
