/**
 * Test fixture: crafts TCP conversations frame by frame with stack/wire's
 * encoders, tracking each side's next sequence number so a test only spells
 * out what it breaks on purpose.
 */
import { encodeTcpFrame, parseIpv4, parseMac } from '../../../stack/wire/index.ts';
import { TcpFlag, type TcpOptions } from '../../../stack/wire/tcp-types.ts';
import { encodePcap, type PcapRecord, type PcapWriteOptions } from '../../pcap/writer.ts';

export type Side = 'c' | 's';

interface Peer {
  ip: number;
  mac: Uint8Array;
  port: number;
  nxt: number;
  /** Next sequence number expected from the other side (what this side acknowledges). */
  rcv: number;
}

export interface SendOptions {
  seq?: number;
  ack?: number;
  flags?: number;
  payload?: Uint8Array;
  window?: number;
  options?: TcpOptions;
  /** Time since the previous frame (default 1 ms). */
  afterMs?: number;
}

export function pattern(length: number, offset = 0): Uint8Array {
  const b = new Uint8Array(length);
  for (let i = 0; i < length; i++) b[i] = (offset + i) % 251;
  return b;
}

export class Craft {
  readonly records: PcapRecord[] = [];
  timeMs: number;
  private readonly peers: Record<Side, Peer>;

  constructor(opts: { clientIsn?: number; serverIsn?: number; startMs?: number } = {}) {
    this.timeMs = opts.startMs ?? Date.UTC(2026, 10, 27, 4, 0, 0);
    this.peers = {
      c: {
        ip: parseIpv4('198.18.7.2'),
        mac: parseMac('02:00:00:00:07:02'),
        port: 40000,
        nxt: opts.clientIsn ?? 1000,
        rcv: 0,
      },
      s: {
        ip: parseIpv4('198.18.7.1'),
        mac: parseMac('02:00:00:00:07:01'),
        port: 5000,
        nxt: opts.serverIsn ?? 5000,
        rcv: 0,
      },
    };
  }

  /** Next sequence number of a side. */
  nxt(side: Side): number {
    return this.peers[side].nxt;
  }

  send(from: Side, o: SendOptions = {}): number {
    const me = this.peers[from];
    const peer = this.peers[from === 'c' ? 's' : 'c'];
    const flags = o.flags ?? TcpFlag.ACK;
    const payload = o.payload ?? new Uint8Array(0);
    const seq = o.seq ?? me.nxt;
    const frame = encodeTcpFrame(
      { srcMac: me.mac, dstMac: peer.mac, src: me.ip, dst: peer.ip },
      {
        srcPort: me.port,
        dstPort: peer.port,
        seq,
        ack: (flags & TcpFlag.ACK) !== 0 ? (o.ack ?? me.rcv) : 0,
        flags,
        window: o.window ?? 65535,
        urgent: 0,
        options: o.options ?? {},
        payload,
      },
    );
    const end =
      (seq +
        payload.length +
        ((flags & TcpFlag.SYN) !== 0 ? 1 : 0) +
        ((flags & TcpFlag.FIN) !== 0 ? 1 : 0)) >>>
      0;
    if (((end - me.nxt) | 0) > 0) me.nxt = end;
    if (((end - peer.rcv) | 0) > 0 && o.seq === undefined) peer.rcv = end;
    this.timeMs += o.afterMs ?? 1;
    this.records.push({ timeMs: this.timeMs, data: frame });
    return this.records.length;
  }

  handshake(): void {
    this.send('c', { flags: TcpFlag.SYN, options: { mss: 1460, wscale: 7, sackPermitted: true } });
    this.peers.s.rcv = this.peers.c.nxt;
    this.send('s', {
      flags: TcpFlag.SYN | TcpFlag.ACK,
      options: { mss: 1460, wscale: 7, sackPermitted: true },
    });
    this.peers.c.rcv = this.peers.s.nxt;
    this.send('c', { window: 512 });
  }

  /** Sends `total` bytes of the pattern from a side in `mss` pieces, each acknowledged. */
  stream(from: Side, total: number, mss = 1000, offset = 0): void {
    for (let sent = 0; sent < total; sent += mss) {
      const n = Math.min(mss, total - sent);
      this.send(from, { flags: TcpFlag.ACK | TcpFlag.PSH, payload: pattern(n, offset + sent) });
      this.send(from === 'c' ? 's' : 'c', { window: 512 });
    }
  }

  /** Orderly close: FIN each way, each acknowledged. */
  close(): void {
    this.send('c', { flags: TcpFlag.FIN | TcpFlag.ACK, window: 512 });
    this.send('s', { flags: TcpFlag.FIN | TcpFlag.ACK, window: 512 });
    this.send('c', { window: 512 });
  }

  pcap(opts: PcapWriteOptions = {}): Buffer {
    return encodePcap(this.records, opts);
  }
}
