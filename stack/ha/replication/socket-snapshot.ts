/**
 * What a snapshot record carries for one SSO connection: the engine's control block plus the
 * socket layer's part (is the output regenerable, stream offsets, bytes delivered to the app
 * and not yet consumed: the peer will never send those again).
 */
import { ByteWriter } from '../ipc/bytes.ts';
import { ReplicationError } from './errors.ts';

const MAGIC = 0x484c5353; // "HLSS"

export interface SocketSnapshot {
  regenerable: boolean;
  /** Bytes the app wrote so far (stream offset of its next write). */
  written: number;
  /** Bytes delivered to the app so far. */
  delivered: number;
  /** Delivered, not yet consumed (the last `unconsumed.length` delivered bytes). */
  unconsumed: Uint8Array;
  /** The app's own state (opaque; empty when it has none). */
  appState: Uint8Array;
  /** `engine.snapshotConnection(conn)`. */
  tcb: Uint8Array;
}

export function encodeSocketSnapshot(s: SocketSnapshot): Uint8Array {
  return new ByteWriter(s.tcb.length + s.unconsumed.length + s.appState.length + 40)
    .u32(MAGIC)
    .u8(s.regenerable ? 1 : 0)
    .u64(s.written)
    .u64(s.delivered)
    .bytes(s.unconsumed)
    .bytes(s.appState)
    .bytes(s.tcb)
    .finish();
}

/**
 * Decodes without copying what is only read once (the control block, which the engine copies
 * into its own TCB): a bulk sync decodes thousands of these in a row. What the replayer keeps
 * (unread bytes, app state) is copied, so it does not pin the frame it came in.
 */
export function decodeSocketSnapshot(bytes: Uint8Array): SocketSnapshot {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let at = 0;
  const need = (n: number, field: string): number => {
    if (at + n > bytes.length)
      throw new ReplicationError(
        'REPL_BAD_DETAIL',
        `socket snapshot: ends inside ${field} (offset ${at}, ${bytes.length} bytes)`,
      );
    const from = at;
    at += n;
    return from;
  };
  const u64 = (field: string): number => {
    const from = need(8, field);
    const hi = view.getUint32(from);
    if (hi > 0x1f_ffff)
      throw new ReplicationError('REPL_BAD_DETAIL', `socket snapshot: ${field} exceeds 2^53`);
    return hi * 0x1_0000_0000 + view.getUint32(from + 4);
  };
  const field = (name: string): Uint8Array => {
    const n = view.getUint32(need(4, `${name} length`));
    const from = need(n, name);
    return bytes.subarray(from, from + n);
  };
  const kept = (b: Uint8Array): Uint8Array => (b.length === 0 ? EMPTY : b.slice());
  if (view.getUint32(need(4, 'magic')) !== MAGIC)
    throw new ReplicationError('REPL_BAD_DETAIL', 'socket snapshot: magic: not a socket snapshot');
  const flags = view.getUint8(need(1, 'flags'));
  const s: SocketSnapshot = {
    regenerable: (flags & 1) === 1,
    written: u64('written'),
    delivered: u64('delivered'),
    unconsumed: kept(field('unconsumed')),
    appState: kept(field('appState')),
    tcb: field('tcb'),
  };
  if (at !== bytes.length)
    throw new ReplicationError(
      'REPL_BAD_DETAIL',
      `socket snapshot: end: ${bytes.length - at} trailing bytes`,
    );
  return s;
}

const EMPTY = new Uint8Array(0);

/** Bytes delivered to the app and not consumed yet, oldest first. */
export class ChunkQueue {
  private chunks: Uint8Array[] = [];
  private total = 0;

  get length(): number {
    return this.total;
  }

  push(bytes: Uint8Array): void {
    if (bytes.length === 0) return;
    this.chunks.push(bytes);
    this.total += bytes.length;
  }

  /** Drop the oldest n bytes (the app consumed them). */
  drop(n: number): void {
    let left = Math.min(n, this.total);
    this.total -= left;
    while (left > 0) {
      const c = this.chunks[0]!;
      if (c.length <= left) {
        left -= c.length;
        this.chunks.shift();
      } else {
        this.chunks[0] = c.subarray(left);
        left = 0;
      }
    }
  }

  /** All of it in one array (a shared empty one when there is nothing: most idle connections). */
  concat(): Uint8Array {
    if (this.total === 0) return EMPTY;
    const out = new Uint8Array(this.total);
    let at = 0;
    for (const c of this.chunks) {
      out.set(c, at);
      at += c.length;
    }
    return out;
  }

  clear(): void {
    this.chunks = [];
    this.total = 0;
  }
}
