/**
 * The IPC link over kernel TCP between the two boards' IPC addresses, with reconnect. The
 * lower slot listens on its IPC address, the higher slot connects to it (so the two never race
 * to open two connections). Each connection is a fresh `IpcChannel` (new sequences); the link
 * re-emits its records and says when it is up or down. Only the mate's address is accepted.
 */
import { EventEmitter } from 'node:events';
import net from 'node:net';
import type { HaError } from '../errors.ts';
import { IpcChannel } from './channel.ts';
import { type HaLog, silentLog } from './log-sink.ts';
import type { IpcRecord } from './records.ts';
import type { WindowLimits } from './window.ts';

export interface NodeLinkOptions {
  mode: 'listen' | 'connect';
  local: string;
  mate: string;
  port: number;
  key?: Uint8Array;
  maxPayload?: number;
  window?: WindowLimits;
  /** First reconnect delay; doubles up to `reconnectMaxMs`. */
  reconnectMs?: number;
  reconnectMaxMs?: number;
  log?: HaLog;
}

export interface NodeLinkEvents {
  up: [];
  down: [reason: string];
  record: [IpcRecord];
  refused: [HaError];
  drain: [];
}

/** The lower slot listens, the higher connects. */
export function ipcModeForSlot(slot: number, mateSlot = slot === 0 ? 1 : 0): 'listen' | 'connect' {
  return slot < mateSlot ? 'listen' : 'connect';
}

export class IpcNodeLink extends EventEmitter<NodeLinkEvents> {
  private channel: IpcChannel | undefined;
  private server: net.Server | undefined;
  private retryTimer: NodeJS.Timeout | undefined;
  private retryDelay: number;
  private stopped = false;
  private readonly log: HaLog;

  constructor(private readonly opts: NodeLinkOptions) {
    super();
    this.log = opts.log ?? silentLog;
    this.retryDelay = opts.reconnectMs ?? 50;
  }

  get isUp(): boolean {
    return this.channel?.isOpen ?? false;
  }

  get inFlight(): { records: number; bytes: number } {
    return this.channel?.inFlight ?? { records: 0, bytes: 0 };
  }

  /** Listening: resolves once bound. Connecting: resolves at once and keeps trying. */
  async start(): Promise<void> {
    if (this.opts.mode === 'connect') {
      this.connect();
      return;
    }
    const server = net.createServer((sock) => this.accept(sock));
    this.server = server;
    server.on('error', (err) =>
      this.log({ level: 'error', msg: 'ipc listen error', reason: err.message }),
    );
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen({ host: this.opts.local, port: this.opts.port }, () => {
        server.off('error', reject);
        resolve();
      });
    });
  }

  canSend(): boolean {
    return this.channel?.canSend() ?? false;
  }

  /** False when down or back-pressured (see `canSend`). */
  send(rec: IpcRecord): boolean {
    return this.channel?.send(rec) ?? false;
  }

  /** Drop the current connection (e.g. heartbeats stopped on it); reconnect follows. */
  reset(reason: string): void {
    this.channel?.close(reason);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.retryTimer);
    this.channel?.close('link stopped');
    const server = this.server;
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  private accept(sock: net.Socket): void {
    const from = sock.remoteAddress?.replace(/^::ffff:/, '');
    if (from !== this.opts.mate || this.stopped) {
      this.log({ level: 'warn', msg: 'ipc connection refused', from });
      sock.destroy();
      return;
    }
    // A new connection from the mate replaces the old one (the mate restarted).
    this.channel?.close('replaced by a new connection');
    this.attach(sock);
  }

  private connect(): void {
    if (this.stopped) return;
    const sock = net.connect({
      host: this.opts.mate,
      port: this.opts.port,
      localAddress: this.opts.local,
    });
    const onError = (err: Error) => {
      this.log({ level: 'debug', msg: 'ipc connect failed', reason: err.message });
      this.scheduleReconnect();
    };
    sock.once('error', onError);
    sock.once('connect', () => {
      sock.off('error', onError);
      this.retryDelay = this.opts.reconnectMs ?? 50;
      this.attach(sock);
    });
  }

  private scheduleReconnect(): void {
    if (this.stopped || this.retryTimer) return;
    this.retryTimer = setTimeout(() => {
      this.retryTimer = undefined;
      this.connect();
    }, this.retryDelay);
    this.retryDelay = Math.min(this.retryDelay * 2, this.opts.reconnectMaxMs ?? 1000);
  }

  private attach(sock: net.Socket): void {
    sock.setNoDelay(true);
    const channel = new IpcChannel(sock, {
      key: this.opts.key,
      maxPayload: this.opts.maxPayload,
      window: this.opts.window,
      log: this.log,
    });
    this.channel = channel;
    channel.on('record', (rec) => this.emit('record', rec));
    channel.on('refused', (err) => this.emit('refused', err));
    channel.on('drain', () => this.emit('drain'));
    channel.on('close', (reason) => {
      if (this.channel === channel) this.channel = undefined;
      this.log({ level: 'info', msg: 'ipc down', reason });
      this.emit('down', reason);
      if (this.opts.mode === 'connect') this.scheduleReconnect();
    });
    this.log({ level: 'info', msg: 'ipc up', mate: this.opts.mate });
    this.emit('up');
  }
}
