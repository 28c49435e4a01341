/**
 * The peer: a plain (non-HA) TCP engine behind its own IP interface. It opens connections to
 * the chassis' echo and stream ports, accepts the chassis' connections on 9000, writes seeded
 * streams in random chunks, reads at its own pace, and records everything a real peer would
 * call a drop: an RST, a FIN before the whole stream, an error, a wrong or missing byte.
 */

import type { IpInterface } from '../../ip/interface.ts';
import type { Prng } from '../../link/prng.ts';
import type { TcpOutput } from '../../tcp/api.ts';
import { type ConnId, TcpState } from '../../tcp/api.ts';
import { TcpEngine } from '../../tcp/engine.ts';
import { TcpFlag } from '../../wire/tcp-types.ts';
import { C2S, ECHO_PORT, PEER_PORT, S2C, type STREAM_PORT } from './chassis-apps.ts';
import { patternBytes, StreamCheck, streamLength, streamSeed } from './pattern.ts';

export interface PeerConnPlan {
  /** Virtual time of the connect. */
  at: number;
  localPort: number;
  port: typeof ECHO_PORT | typeof STREAM_PORT;
}

interface PeerConn {
  name: string;
  outSeed: number;
  outTotal: number;
  written: number;
  check: StreamCheck;
  unread: number;
  readEveryMs: number;
  nextRead: number;
  nextWrite: number;
  shut: boolean;
  finSeen: boolean;
  closed: boolean;
}

export class Peer {
  readonly engine: TcpEngine;
  readonly conns = new Map<ConnId, PeerConn>();
  readonly failures: string[] = [];
  rstSeen = 0;
  garpSeen = 0;
  finished = 0;
  private readonly plan: PeerConnPlan[];

  constructor(
    readonly ip: IpInterface,
    private readonly chassisAddr: number,
    plan: PeerConnPlan[],
    private readonly prng: Prng,
  ) {
    this.plan = [...plan];
    this.engine = new TcpEngine({
      localAddr: ip.address,
      isnSecret: new Uint8Array(16).fill(7),
      msl2Ms: 500,
      finWait2TimeoutMs: 5000,
    });
    ip.onTcp((pkt, now) => {
      if (pkt.src === chassisAddr && pkt.segment.flags & TcpFlag.RST) {
        // An RST to a connection in TIME-WAIT (or gone) is ignored by the peer (RFC 1337).
        const id = this.engine.lookup(pkt.segment.dstPort, pkt.src, pkt.segment.srcPort);
        const state = id === undefined ? undefined : this.engine.info(id)?.state;
        if (state !== undefined && state !== TcpState.TIME_WAIT) {
          this.rstSeen++;
          this.failures.push(
            `RST from the chassis port ${pkt.segment.srcPort} to port ${pkt.segment.dstPort} in state ${state} at ${now}`,
          );
        }
      }
      this.run(
        this.engine.handle({
          kind: 'segment',
          now,
          src: pkt.src,
          dst: pkt.dst,
          segment: pkt.segment,
        }),
        now,
      );
    });
    this.run(this.engine.handle({ kind: 'listen', now: 0, port: PEER_PORT, backlog: 64 }), 0);
  }

  get expected(): number {
    return this.plan.length;
  }

  tick(now: number): void {
    while (this.plan.length > 0 && this.plan[0]!.at <= now) {
      const p = this.plan.shift()!;
      const out = this.engine.handle({
        kind: 'connect',
        now,
        localPort: p.localPort,
        remoteAddr: this.chassisAddr,
        remotePort: p.port,
      });
      const conn = this.engine.lookup(p.localPort, this.chassisAddr, p.port);
      if (conn !== undefined) this.add(conn, p.localPort, p.port, true);
      this.run(out, now);
    }
    const d = this.engine.nextDeadline();
    if (d >= 0 && d <= now) this.run(this.engine.handle({ kind: 'timer', now }), now);
    for (const [conn, c] of this.conns) {
      if (c.closed) continue;
      if (c.unread > 0 && now >= c.nextRead) {
        const n = c.unread;
        c.unread = 0;
        c.nextRead = now + c.readEveryMs;
        this.run(this.engine.handle({ kind: 'consume', now, conn, n }), now);
      }
      if (!c.shut && now >= c.nextWrite) this.write(conn, c, now);
    }
  }

  private add(conn: ConnId, localPort: number, remotePort: number, opened: boolean): void {
    // Peer-opened: seeds keyed by (peer port, chassis port); chassis-opened: by (chassis port, 9000).
    const outSeed = opened
      ? streamSeed(localPort, remotePort, C2S)
      : streamSeed(remotePort, PEER_PORT, S2C);
    const inSeed =
      remotePort === ECHO_PORT
        ? outSeed
        : opened
          ? streamSeed(localPort, remotePort, S2C)
          : streamSeed(remotePort, PEER_PORT, C2S);
    const outTotal = streamLength(outSeed, 120_000);
    const fast = this.prng.chance(0.5);
    this.conns.set(conn, {
      name: `${opened ? 'peer' : 'chassis'}-opened ${localPort}->${remotePort}`,
      outSeed,
      outTotal,
      written: 0,
      check: new StreamCheck(
        inSeed,
        remotePort === ECHO_PORT ? outTotal : streamLength(inSeed, 120_000),
      ),
      unread: 0,
      readEveryMs: fast ? 0 : 5 + this.prng.below(60),
      nextRead: 0,
      nextWrite: 0,
      shut: false,
      finSeen: false,
      closed: false,
    });
  }

  private write(conn: ConnId, c: PeerConn, now: number): void {
    const info = this.engine.info(conn);
    if (!info || info.state === TcpState.SYN_SENT || info.state === TcpState.SYN_RECEIVED) return;
    if (c.written < c.outTotal && info.sendQueued < 65536) {
      const n = Math.min(1 + this.prng.below(12000), c.outTotal - c.written);
      this.run(
        this.engine.handle({
          kind: 'send',
          now,
          conn,
          bytes: patternBytes(c.outSeed, c.written, n),
        }),
        now,
      );
      c.written += n;
      c.nextWrite = now + this.prng.below(30);
    }
    if (c.written === c.outTotal) {
      c.shut = true;
      this.run(this.engine.handle({ kind: 'shutdown', now, conn }), now);
    }
  }

  private run(out: TcpOutput[], now: number): void {
    for (const o of out) {
      switch (o.kind) {
        case 'segment':
          this.ip.sendTcp(o.dst, o.segment, now);
          break;
        case 'data': {
          const c = this.conns.get(o.conn);
          if (!c) break;
          c.check.take(o.bytes);
          c.unread += o.bytes.length;
          if (c.readEveryMs === 0) {
            const n = c.unread;
            c.unread = 0;
            this.run(this.engine.handle({ kind: 'consume', now, conn: o.conn, n }), now);
          }
          break;
        }
        case 'event':
          this.event(o, now);
          break;
        default:
          break;
      }
    }
  }

  private event(o: Extract<TcpOutput, { kind: 'event' }>, now: number): void {
    if (o.event === 'accepted' && o.port === PEER_PORT) {
      this.add(o.conn, PEER_PORT, o.remotePort!, false);
      return;
    }
    const c = this.conns.get(o.conn);
    if (!c) return;
    if (o.event === 'peer-fin') {
      c.finSeen = true;
      if (!c.check.complete)
        this.failures.push(
          `${c.name}: FIN after ${c.check.received} of ${c.check.expected} bytes at ${now}`,
        );
    }
    if (o.event === 'closed') {
      c.closed = true;
      this.finished++;
      if (o.error) this.failures.push(`${c.name}: closed with error ${o.error} at ${now}`);
    }
  }

  /** Everything that went wrong on any connection, plus connections that never finished. */
  verdict(): string[] {
    const out = [...this.failures];
    for (const c of this.conns.values()) {
      if (c.check.firstMismatch >= 0) out.push(`${c.name}: byte ${c.check.firstMismatch} differs`);
      else if (!c.check.complete)
        out.push(`${c.name}: received ${c.check.received} of ${c.check.expected} bytes`);
      if (!c.closed)
        out.push(
          `${c.name}: not closed at the end (wrote ${c.written}/${c.outTotal}, fin ${c.finSeen})`,
        );
    }
    if (this.plan.length > 0) out.push(`${this.plan.length} planned connections never opened`);
    return out;
  }

  get done(): boolean {
    return this.plan.length === 0 && [...this.conns.values()].every((c) => c.closed);
  }
}
