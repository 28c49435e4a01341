/**
 * The chassis' applications in the simulation: echo on port 7 (state of its own: its writes
 * are mirrored), a stream server on 5001 and stream clients to the peer's port 9000 (output a
 * function of offsets: regenerable). Their whole state can be rebuilt from what the standby
 * keeps (offsets, undelivered bytes, TCP state), so they carry on after takeover.
 */
import { type ConnId, type ConnInfo, TcpState } from '../../tcp/api.ts';
import type { TakenOverConn } from '../replication/replayer.ts';
import { patternBytes, StreamCheck, streamLength, streamSeed } from './pattern.ts';

export const ECHO_PORT = 7;
export const STREAM_PORT = 5001;
export const PEER_PORT = 9000;
export const C2S = 1;
export const S2C = 2;
const CHUNK = 16384;
const QUEUE_LIMIT = 65536;

/** What the apps call: the board's socket layer (through the replicator on the active). */
export interface ChassisSockets {
  send(conn: ConnId, bytes: Uint8Array): void;
  consume(conn: ConnId, n: number): void;
  shutdown(conn: ConnId): void;
  info(conn: ConnId): ConnInfo | undefined;
}

interface AppConn {
  kind: 'echo' | 'stream-server' | 'stream-client';
  outSeed: number;
  outTotal: number;
  written: number;
  /** Bytes received and processed (consumed) so far. */
  read: number;
  check: StreamCheck | undefined;
  shut: boolean;
}

/** The chassis' outgoing stream on a connection (what the standby regenerates). */
export function chassisStream(info: ConnInfo): { seed: number; total: number } | undefined {
  if (info.localPort === STREAM_PORT) {
    const seed = streamSeed(info.remotePort, STREAM_PORT, S2C);
    return { seed, total: streamLength(seed, 120_000) };
  }
  if (info.remotePort === PEER_PORT) {
    const seed = streamSeed(info.localPort, PEER_PORT, C2S);
    return { seed, total: streamLength(seed, 120_000) };
  }
  return undefined;
}

/** The peer's stream towards the chassis on a connection, as the chassis expects it. */
export function peerStream(
  localPort: number,
  remotePort: number,
  chassisPort: number,
  chassisLocal: boolean,
): { seed: number; total: number } {
  // Seeds are keyed by (peer-side port, chassis-side well-known port) for peer-opened
  // connections and by (chassis port, 9000) for chassis-opened ones.
  const seed = chassisLocal
    ? streamSeed(remotePort, chassisPort, C2S)
    : streamSeed(localPort, PEER_PORT, S2C);
  return { seed, total: streamLength(seed, 120_000) };
}

export class ChassisApps {
  private readonly conns = new Map<ConnId, AppConn>();
  /** Received bytes that did not verify (stream apps). */
  mismatches: string[] = [];

  constructor(private readonly sockets: ChassisSockets) {}

  /** A new connection (accepted or connected). */
  open(conn: ConnId): void {
    const info = this.sockets.info(conn);
    if (!info || this.conns.has(conn)) return;
    this.conns.set(conn, this.fresh(info));
  }

  private fresh(info: ConnInfo): AppConn {
    const out = chassisStream(info);
    if (!out)
      return {
        kind: 'echo',
        outSeed: 0,
        outTotal: 0,
        written: 0,
        read: 0,
        check: undefined,
        shut: false,
      };
    const server = info.localPort === STREAM_PORT;
    const inbound = server
      ? peerStream(info.localPort, info.remotePort, STREAM_PORT, true)
      : peerStream(info.localPort, info.remotePort, PEER_PORT, false);
    return {
      kind: server ? 'stream-server' : 'stream-client',
      outSeed: out.seed,
      outTotal: out.total,
      written: 0,
      read: 0,
      check: new StreamCheck(inbound.seed, inbound.total),
      shut: false,
    };
  }

  data(conn: ConnId, bytes: Uint8Array): void {
    const a = this.conns.get(conn);
    if (!a) return;
    if (a.kind === 'echo') {
      // Echo output offset = input offset: after takeover, bytes echoed but not yet consumed
      // on the old active are not echoed twice.
      const end = a.read + bytes.length;
      if (end > a.written && !a.shut) {
        this.sockets.send(conn, bytes.slice(Math.max(0, a.written - a.read)));
        a.written = end;
      }
    } else {
      a.check!.take(bytes);
      if (
        a.check!.firstMismatch >= 0 &&
        !this.mismatches.some((m) => m.startsWith(`conn ${conn}:`))
      )
        this.mismatches.push(
          `conn ${conn}: received bytes differ at offset ${a.check!.firstMismatch}`,
        );
    }
    a.read += bytes.length;
    this.sockets.consume(conn, bytes.length);
  }

  peerFin(conn: ConnId): void {
    const a = this.conns.get(conn);
    if (a?.kind === 'echo' && !a.shut) {
      a.shut = true;
      this.sockets.shutdown(conn);
    }
  }

  closed(conn: ConnId): void {
    this.conns.delete(conn);
  }

  /** Stream apps write while their send queue is short, then half-close. */
  tick(): void {
    for (const [conn, a] of this.conns) {
      if (a.kind === 'echo' || a.shut) continue;
      const info = this.sockets.info(conn);
      if (!info || info.state === TcpState.SYN_SENT || info.state === TcpState.SYN_RECEIVED)
        continue;
      while (
        a.written < a.outTotal &&
        (this.sockets.info(conn)?.sendQueued ?? QUEUE_LIMIT) < QUEUE_LIMIT
      ) {
        const n = Math.min(CHUNK, a.outTotal - a.written);
        this.sockets.send(conn, patternBytes(a.outSeed, a.written, n));
        a.written += n;
      }
      if (a.written === a.outTotal) {
        a.shut = true;
        this.sockets.shutdown(conn);
      }
    }
  }

  /** After takeover: rebuild each app from the replicated state and hand back unread bytes. */
  adopt(taken: TakenOverConn[]): void {
    for (const t of taken) {
      const a = this.fresh(t.info);
      a.written = t.written;
      const s = t.info.state;
      a.shut =
        s !== TcpState.ESTABLISHED &&
        s !== TcpState.CLOSE_WAIT &&
        s !== TcpState.SYN_SENT &&
        s !== TcpState.SYN_RECEIVED;
      a.read = t.delivered - t.unconsumed.length;
      if (a.check) a.check.received = a.read;
      this.conns.set(t.conn, a);
      if (t.unconsumed.length > 0) this.data(t.conn, t.unconsumed);
      if (s === TcpState.CLOSE_WAIT) this.peerFin(t.conn);
    }
  }

  get size(): number {
    return this.conns.size;
  }
}
