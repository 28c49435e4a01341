/**
 * Running an app from its config entry: a server listens on `port`, a client
 * opens `connections` connections to `connect`. Each connection gets the app's
 * per-connection handler; common bookkeeping (stats, error logs) lives here.
 */
import type { AppListener, AppNet, AppSocket, SocketOptions } from '../tcp/host/socket-api.ts';
import { type AppSpec, parseAddrPort } from './config.ts';

export type AppLog = (event: Record<string, unknown>) => void;

export interface AppStats {
  opened: number;
  active: number;
  closed: number;
  errors: number;
  /** Bytes received from peers. */
  bytesIn: number;
  /** Bytes written to peers. */
  bytesOut: number;
  /** Stream app: connections whose received bytes did not verify. */
  mismatches: number;
}

export interface AppContext {
  net: AppNet;
  log: AppLog;
}

/** What an app kind provides. */
export interface AppKind<S extends AppSpec = AppSpec> {
  /** Extra socket flags of this kind (e.g. output regenerable from offsets). */
  socketOptions?: SocketOptions;
  /** Set up one connection; `index` counts a client's connections from 0. */
  attach(socket: AppSocket, ctx: ConnectionContext<S>): void;
  /**
   * Carry on a connection taken over from another board, from the state the old board's
   * app exposed (connectionState); absent: attach() as for a new connection.
   */
  resume?(socket: AppSocket, ctx: ConnectionContext<S>, state: Record<string, unknown>): void;
}

export interface ConnectionContext<S extends AppSpec = AppSpec> {
  spec: S;
  role: 'server' | 'client';
  index: number;
  stats: AppStats;
  log: AppLog;
  /** Publish what a takeover needs to resume this connection (read when asked). */
  expose(state: () => Record<string, unknown>): void;
}

export interface RunningApp {
  readonly spec: AppSpec;
  stats(): AppStats;
  /** Stop listening; with abort, reset every open connection. */
  stop(opts?: { abort?: boolean }): void;
  /** What resume needs for one of this app's connections (e.g. stream seed and offsets). */
  connectionState(socketId: number): Record<string, unknown> | undefined;
  /**
   * Take on a connection adopted after takeover, resuming from the old board's state;
   * without a state the connection starts as a new one (nothing was exchanged yet).
   */
  adopt(socket: AppSocket, role: 'server' | 'client', state?: Record<string, unknown>): void;
}

export function runApp<S extends AppSpec>(spec: S, kind: AppKind<S>, ctx: AppContext): RunningApp {
  const stats: AppStats = {
    opened: 0,
    active: 0,
    closed: 0,
    errors: 0,
    bytesIn: 0,
    bytesOut: 0,
    mismatches: 0,
  };
  const open = new Set<AppSocket>();
  const exposed = new Map<number, () => Record<string, unknown>>();
  const log: AppLog = (e) => ctx.log({ app: spec.kind, ...e });
  const socketOptions: SocketOptions = {
    sso: spec.sso,
    ...(spec.nagle !== undefined ? { nagle: spec.nagle } : {}),
    ...kind.socketOptions,
  };

  const track = (
    socket: AppSocket,
    role: 'server' | 'client',
    index: number,
    resumeFrom?: Record<string, unknown>,
  ): void => {
    stats.opened++;
    stats.active++;
    open.add(socket);
    socket.on('error', (err) => {
      stats.errors++;
      log({ event: 'error', conn: socket.id, code: err.code, message: err.message });
    });
    socket.on('close', () => {
      stats.active--;
      stats.closed++;
      open.delete(socket);
      exposed.delete(socket.id);
      log({
        event: 'closed',
        conn: socket.id,
        bytesIn: socket.bytesRead,
        bytesOut: socket.bytesWritten,
      });
    });
    const ctx: ConnectionContext<S> = {
      spec,
      role,
      index,
      stats,
      log,
      expose: (state) => exposed.set(socket.id, state),
    };
    if (resumeFrom && kind.resume) kind.resume(socket, ctx, resumeFrom);
    else kind.attach(socket, ctx);
  };

  let listener: AppListener | undefined;
  if (spec.port !== undefined) {
    listener = ctx.net.listen(
      spec.port,
      { ...socketOptions, ...(spec.backlog !== undefined ? { backlog: spec.backlog } : {}) },
      (socket) => {
        log({
          event: 'accepted',
          conn: socket.id,
          peer: `${socket.remoteAddress}:${socket.remotePort}`,
        });
        track(socket, 'server', stats.opened);
      },
    );
    log({ event: 'listening', port: spec.port });
  } else if (spec.connect !== undefined) {
    const target = parseAddrPort(spec.connect);
    for (let i = 0; i < spec.connections; i++) {
      const socket = ctx.net.connect({ ...socketOptions, ...target });
      let connected = false;
      socket.on('connect', () => {
        connected = true;
        log({ event: 'connected', conn: socket.id, peer: spec.connect });
        track(socket, 'client', i);
      });
      socket.on('error', (err) => {
        if (connected) return;
        stats.errors++;
        log({ event: 'connect-failed', peer: spec.connect, code: err.code, message: err.message });
      });
    }
  }

  return {
    spec,
    stats: () => ({ ...stats }),
    connectionState: (id) => exposed.get(id)?.(),
    adopt(socket, role, state) {
      log({ event: 'adopted', conn: socket.id, role });
      track(socket, role, stats.opened, state);
    },
    stop(opts) {
      listener?.close();
      if (opts?.abort) for (const s of [...open]) s.abort();
    },
  };
}

/** Write with back-pressure: pause reading while the send buffer is full. */
export function echoInto(socket: AppSocket, bytes: Uint8Array, stats: AppStats): void {
  stats.bytesOut += bytes.length;
  if (!socket.write(bytes)) socket.pause();
}
