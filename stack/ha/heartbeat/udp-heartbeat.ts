/**
 * Heartbeats over UDP: one datagram per heartbeat between two kernel addresses — the boards'
 * own front-LAN addresses (`ha.lan`), or (in the heartbeat thread) their IPC addresses —
 * framed and authenticated like IPC records. Datagrams from
 * other addresses, or refused by the decoder, are logged and dropped, never fatal.
 */
import dgram from 'node:dgram';
import { EventEmitter } from 'node:events';
import type { HaError } from '../errors.ts';
import { type HaLog, silentLog } from '../ipc/log-sink.ts';
import type { Heartbeat } from '../ipc/records.ts';
import { decodeDatagram, encodeDatagram } from '../ipc/session.ts';

export const DEFAULT_LAN_HEARTBEAT_PORT = 7401;

export interface UdpHeartbeatOptions {
  local: string;
  mate: string;
  port?: number;
  key?: Uint8Array;
  log?: HaLog;
  /** Which path this socket carries, for its log lines (default 'lan'). */
  label?: 'lan' | 'ipc';
}

export interface UdpHeartbeatEvents {
  heartbeat: [Heartbeat];
  refused: [HaError];
}

export class UdpHeartbeat extends EventEmitter<UdpHeartbeatEvents> {
  private socket: dgram.Socket | undefined;
  private readonly port: number;
  private readonly log: HaLog;
  private readonly label: string;
  private counter = 0;
  private retry: NodeJS.Timeout | undefined;
  private stopped = false;
  /** Whether the socket is bound to `local` (the LAN path works). */
  bound = false;

  constructor(private readonly opts: UdpHeartbeatOptions) {
    super();
    this.port = opts.port ?? DEFAULT_LAN_HEARTBEAT_PORT;
    this.log = opts.log ?? silentLog;
    this.label = opts.label ?? 'lan';
  }

  /**
   * Bind `local`. When the address is not on this host yet (the board's own front address is
   * added by its boot scripts), log it clearly and keep trying every `retryMs`: the LAN path
   * comes up by itself once the address exists. Other bind errors are thrown.
   */
  async start(retryMs = 1000): Promise<void> {
    const err = await this.bind();
    if (!err) return;
    if (err.code !== 'EADDRNOTAVAIL') throw err;
    this.log({
      level: 'error',
      msg: `${this.label} address missing`,
      address: this.opts.local,
      reason: `${this.opts.local} is not an address of this host: add it to the ${this.label === 'lan' ? 'front bridge' : 'IPC link'}; ${this.label.toUpperCase()} heartbeats are down until then (retrying every ${retryMs} ms)`,
    });
    const again = (): void => {
      this.retry = undefined;
      if (this.stopped) return;
      void this.bind().then((e) => {
        if (!e) {
          this.log({
            level: 'info',
            msg: `${this.label} address present`,
            address: this.opts.local,
          });
          return;
        }
        if (!this.stopped) this.retry = setTimeout(again, retryMs);
      });
    };
    this.retry = setTimeout(again, retryMs);
  }

  private bind(): Promise<NodeJS.ErrnoException | undefined> {
    const socket = dgram.createSocket('udp4');
    return new Promise((resolve) => {
      socket.once('error', (err: NodeJS.ErrnoException) => {
        socket.close();
        resolve(err);
      });
      socket.bind({ address: this.opts.local, port: this.port }, () => {
        socket.removeAllListeners('error');
        socket.on('message', (msg, from) => this.onMessage(msg, from.address));
        socket.on('error', (e) =>
          this.log({
            level: 'warn',
            msg: `${this.label} heartbeat socket error`,
            reason: e.message,
          }),
        );
        if (this.stopped) {
          socket.close();
        } else {
          this.socket = socket;
          this.bound = true;
        }
        resolve(undefined);
      });
    });
  }

  send(hb: Heartbeat): void {
    const socket = this.socket;
    if (!socket) return; // address missing: the LAN path is down (logged at start)
    this.counter = (this.counter + 1) >>> 0;
    const bytes = encodeDatagram({ type: 'heartbeat', ...hb }, this.counter, this.opts.key);
    // Loss is what heartbeats are for: a failed send is only logged.
    socket.send(bytes, this.port, this.opts.mate, (err) => {
      if (err)
        this.log({ level: 'debug', msg: `${this.label} heartbeat not sent`, reason: err.message });
    });
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.retry) clearTimeout(this.retry);
    this.retry = undefined;
    const socket = this.socket;
    this.socket = undefined;
    this.bound = false;
    if (socket) await new Promise<void>((resolve) => socket.close(() => resolve()));
  }

  private onMessage(msg: Buffer, from: string): void {
    if (from !== this.opts.mate) {
      this.log({ level: 'warn', msg: `${this.label} heartbeat from a stranger dropped`, from });
      return;
    }
    const rec = decodeDatagram(msg, { key: this.opts.key });
    if (rec instanceof Error) {
      this.log({
        level: 'warn',
        msg: `${this.label} heartbeat refused`,
        code: rec.code,
        reason: rec.message,
      });
      this.emit('refused', rec);
      return;
    }
    if (rec.type !== 'heartbeat') {
      this.log({
        level: 'warn',
        msg: `unexpected record on the ${this.label} heartbeat port`,
        type: rec.type,
      });
      return;
    }
    const { type: _type, ...hb } = rec;
    this.emit('heartbeat', hb);
  }
}
