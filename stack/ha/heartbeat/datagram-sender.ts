/**
 * A send-only heartbeat socket for the main thread: bound to the path's local address (the
 * mate accepts heartbeats by source address) on an ephemeral port, sending to the mate's
 * heartbeat port. While the address is missing it retries the bind at most once a second;
 * send errors are ignored (loss is what heartbeats are for).
 */
import dgram from 'node:dgram';
import type { Heartbeat } from '../ipc/records.ts';
import { encodeDatagram } from '../ipc/session.ts';
import type { BeatEndpoint } from './beat-protocol.ts';

const BIND_RETRY_MS = 1000;

export class DatagramSender {
  private socket: dgram.Socket | undefined;
  private binding = false;
  private retryAt = Number.NEGATIVE_INFINITY;
  private counter = 0;
  private closed = false;

  constructor(
    private readonly ep: BeatEndpoint,
    private readonly key?: Uint8Array,
  ) {}

  send(hb: Heartbeat, now: number): void {
    const socket = this.socket;
    if (!socket) {
      this.open(now);
      return;
    }
    this.counter = (this.counter + 1) >>> 0;
    const bytes = encodeDatagram({ type: 'heartbeat', ...hb }, this.counter, this.key);
    socket.send(bytes, this.ep.port, this.ep.mate, () => {});
  }

  close(): void {
    this.closed = true;
    this.socket?.close();
    this.socket = undefined;
  }

  private open(now: number): void {
    if (this.binding || this.closed || now < this.retryAt) return;
    this.binding = true;
    const s = dgram.createSocket('udp4');
    s.unref();
    s.once('error', () => {
      s.close();
      this.binding = false;
      this.retryAt = now + BIND_RETRY_MS;
    });
    s.bind({ address: this.ep.local, port: 0 }, () => {
      s.removeAllListeners('error');
      s.on('error', () => {});
      this.binding = false;
      if (this.closed) s.close();
      else this.socket = s;
    });
  }
}
