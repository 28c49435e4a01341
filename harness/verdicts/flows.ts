/**
 * All connections of one capture, keyed by 4-tuple, focused on the chassis
 * address when one is given. A SYN that starts a new connection where an
 * earlier one between the same peer and service ended (or reuses the tuple of
 * an established one) is a reconnect.
 */

import { TcpFlag } from '../../stack/wire/tcp-types.ts';
import type { TcpPacket } from '../pcap/decode.ts';
import { Connection, type ConnectionOptions, endpointLabel } from './connection.ts';

export interface FlowOptions extends ConnectionOptions {
  /** Chassis address (unsigned 32-bit); connections not involving it are ignored. */
  address?: number;
}

export class FlowTable {
  private readonly live = new Map<string, Connection>();
  private readonly byService = new Map<string, Connection[]>();
  readonly all: Connection[] = [];
  /** TCP segments between other hosts than the chassis. */
  otherSegments = 0;

  constructor(private readonly opts: FlowOptions) {}

  handle(p: TcpPacket): void {
    if (
      this.opts.address !== undefined &&
      p.src !== this.opts.address &&
      p.dst !== this.opts.address
    ) {
      this.otherSegments++;
      return;
    }
    const s = p.seg;
    const lowFirst = p.src < p.dst || (p.src === p.dst && s.srcPort <= s.dstPort);
    const key = lowFirst
      ? `${p.src}:${s.srcPort}-${p.dst}:${s.dstPort}`
      : `${p.dst}:${s.dstPort}-${p.src}:${s.srcPort}`;
    const pureSyn = (s.flags & (TcpFlag.SYN | TcpFlag.ACK)) === TcpFlag.SYN;
    let conn = this.live.get(key);
    let replaced: Connection | undefined;
    if (conn && pureSyn && this.isNewIncarnation(conn, p)) {
      replaced = conn;
      conn = undefined;
    }
    conn ??= this.open(key, p, pureSyn, replaced);
    conn.handle(p, p.src === conn.clientIp && s.srcPort === conn.clientPort);
  }

  /** A SYN on a tuple in use starts a new connection if the old one ended or had another ISN. */
  private isNewIncarnation(conn: Connection, p: TcpPacket): boolean {
    const fromClient = p.src === conn.clientIp && p.seg.srcPort === conn.clientPort;
    const d = conn.dirs[fromClient ? 0 : 1];
    if (conn.closed) return true;
    return conn.established && (!d.synSeen || d.isn !== p.seg.seq);
  }

  private open(key: string, p: TcpPacket, pureSyn: boolean, replaced?: Connection): Connection {
    const s = p.seg;
    // The client is the SYN's sender; without a SYN, the side with the higher (ephemeral) port.
    const fromIsClient = pureSyn || s.srcPort > s.dstPort;
    const conn = fromIsClient
      ? new Connection(this.all.length, p.src, s.srcPort, p.dst, s.dstPort, this.opts)
      : new Connection(this.all.length, p.dst, s.dstPort, p.src, s.srcPort, this.opts);
    this.live.set(key, conn);
    this.all.push(conn);
    const service = `${conn.clientIp}>${endpointLabel(conn.serverIp, conn.serverPort)}`;
    const earlier = this.byService.get(service) ?? [];
    if (pureSyn) {
      const ended = earlier.filter(
        (c) =>
          c.established &&
          (c === replaced || c.closed || c.dirs.some((d) => d.finAt !== undefined)),
      );
      const previous = ended[ended.length - 1];
      if (previous) {
        conn.add({
          kind: 'reconnect',
          severity: 'drop',
          from: conn.client,
          frame: p.frame,
          timeMs: p.timeMs,
          relatedFrames: [previous.lastFrame],
          detail: `new SYN from ${conn.client} after connection #${previous.id} (${previous.client}) to ${conn.server} ended (${previous.closed ?? 'fin'})`,
        });
      }
    }
    earlier.push(conn);
    this.byService.set(service, earlier);
    return conn;
  }

  finish(endMs: number, endFrame: number): void {
    for (const conn of this.all) conn.finish(endMs, endFrame);
  }
}
