/**
 * What a snapshot record carries for one SSO connection: the engine's control block plus the
 * socket layer's part (is the output regenerable, stream offsets, bytes delivered to the app
 * and not yet consumed: the peer will never send those again).
 */
import { ByteReader, ByteWriter } from '../ipc/bytes.ts';
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

export function decodeSocketSnapshot(bytes: Uint8Array): SocketSnapshot {
  try {
    const r = new ByteReader(bytes, 'socket snapshot');
    if (r.u32('magic') !== MAGIC) r.fail('magic', 'not a socket snapshot');
    const flags = r.u8('flags');
    const s: SocketSnapshot = {
      regenerable: (flags & 1) === 1,
      written: r.u64('written'),
      delivered: r.u64('delivered'),
      unconsumed: r.bytes('unconsumed'),
      appState: r.bytes('appState'),
      tcb: r.bytes('tcb'),
    };
    r.end();
    return s;
  } catch (err) {
    throw new ReplicationError('REPL_BAD_DETAIL', (err as Error).message);
  }
}

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

  concat(): Uint8Array {
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
