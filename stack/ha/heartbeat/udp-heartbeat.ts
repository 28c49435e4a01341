/**
 * Front-LAN heartbeats: one UDP datagram per heartbeat between the boards' own kernel addresses
 * (`ha.lan.local` / `ha.lan.mate`), framed and authenticated like IPC records. Datagrams from
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
}

export interface UdpHeartbeatEvents {
  heartbeat: [Heartbeat];
  refused: [HaError];
}

export class UdpHeartbeat extends EventEmitter<UdpHeartbeatEvents> {
  private readonly socket = dgram.createSocket('udp4');
  private readonly port: number;
  private readonly log: HaLog;
  private counter = 0;

  constructor(private readonly opts: UdpHeartbeatOptions) {
    super();
    this.port = opts.port ?? DEFAULT_LAN_HEARTBEAT_PORT;
    this.log = opts.log ?? silentLog;
    this.socket.on('message', (msg, from) => this.onMessage(msg, from.address));
    this.socket.on('error', (err) =>
      this.log({ level: 'warn', msg: 'lan heartbeat socket error', reason: err.message }),
    );
  }

  async start(): Promise<void> {
    await new Promise<void>((resolve, reject) => {
      this.socket.once('error', reject);
      this.socket.bind({ address: this.opts.local, port: this.port }, () => {
        this.socket.off('error', reject);
        resolve();
      });
    });
  }

  send(hb: Heartbeat): void {
    this.counter = (this.counter + 1) >>> 0;
    const bytes = encodeDatagram({ type: 'heartbeat', ...hb }, this.counter, this.opts.key);
    // Loss is what heartbeats are for: a failed send is only logged.
    this.socket.send(bytes, this.port, this.opts.mate, (err) => {
      if (err) this.log({ level: 'debug', msg: 'lan heartbeat not sent', reason: err.message });
    });
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => this.socket.close(() => resolve()));
  }

  private onMessage(msg: Buffer, from: string): void {
    if (from !== this.opts.mate) {
      this.log({ level: 'warn', msg: 'lan heartbeat from a stranger dropped', from });
      return;
    }
    const rec = decodeDatagram(msg, { key: this.opts.key });
    if (rec instanceof Error) {
      this.log({
        level: 'warn',
        msg: 'lan heartbeat refused',
        code: rec.code,
        reason: rec.message,
      });
      this.emit('refused', rec);
      return;
    }
    if (rec.type !== 'heartbeat') {
      this.log({
        level: 'warn',
        msg: 'unexpected record on the lan heartbeat port',
        type: rec.type,
      });
      return;
    }
    const { type: _type, ...hb } = rec;
    this.emit('heartbeat', hb);
  }
}
