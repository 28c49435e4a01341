/**
 * In-memory IPC link and LAN for tests and the deterministic simulation: the IPC link is a
 * real `IpcChannel` over an in-memory duplex (framing, MACs and windows included) that can be
 * connected, dropped (both sides see it close) or cut (silent, as a pulled cable).
 */
import { EventEmitter } from 'node:events';
import type { HaError } from '../errors.ts';
import { IpcChannel } from '../ipc/channel.ts';
import { memoryDuplexPair } from '../ipc/memory-duplex.ts';
import type { Heartbeat, IpcRecord } from '../ipc/records.ts';
import type { SessionOptions } from '../ipc/session.ts';
import type { IpcPort, IpcPortEvents, LanPort } from './ports.ts';

export class MemoryIpcPort extends EventEmitter<IpcPortEvents> implements IpcPort {
  channel: IpcChannel | undefined;
  /** A cut link delivers nothing but keeps the channel open. */
  cut = false;

  get isUp(): boolean {
    return this.channel?.isOpen ?? false;
  }
  send(rec: IpcRecord): boolean {
    if (this.cut) return this.canSend();
    return this.channel?.send(rec) ?? false;
  }
  canSend(): boolean {
    return this.channel?.canSend() ?? false;
  }
  reset(reason: string): void {
    this.channel?.close(reason);
  }

  attach(channel: IpcChannel): void {
    this.channel = channel;
    channel.on('record', (r) => {
      if (!this.cut) this.emit('record', r);
    });
    channel.on('refused', (e) => this.emit('refused', e));
    channel.on('drain', () => this.emit('drain'));
    channel.on('close', (reason) => {
      if (this.channel === channel) this.channel = undefined;
      this.emit('down', reason);
    });
    this.emit('up');
  }
}

/** Two ports and a `connect()` that opens a fresh session between them. */
export function memoryIpcPair(opts: SessionOptions = {}): {
  ports: [MemoryIpcPort, MemoryIpcPort];
  connect(): void;
} {
  const ports: [MemoryIpcPort, MemoryIpcPort] = [new MemoryIpcPort(), new MemoryIpcPort()];
  return {
    ports,
    connect() {
      const [a, b] = memoryDuplexPair(7);
      ports[0].attach(new IpcChannel(a, opts));
      ports[1].attach(new IpcChannel(b, opts));
    },
  };
}

export class MemoryLanPort
  extends EventEmitter<{ heartbeat: [Heartbeat]; refused: [HaError] }>
  implements LanPort
{
  mate: MemoryLanPort | undefined;
  up = true;
  send(hb: Heartbeat): void {
    const mate = this.mate;
    if (this.up && mate?.up) setImmediate(() => mate.emit('heartbeat', hb));
  }
}

export function memoryLanPair(): [MemoryLanPort, MemoryLanPort] {
  const a = new MemoryLanPort();
  const b = new MemoryLanPort();
  a.mate = b;
  b.mate = a;
  return [a, b];
}
