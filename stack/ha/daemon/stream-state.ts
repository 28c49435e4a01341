/**
 * The stream app's own state for HA (its seed and role) and the regeneration of its output:
 * a client's socket stream is the 8-byte hello then the c2s pattern; a server's is the s2c
 * pattern. Offsets are socket offsets (bytes the app wrote).
 */
import type { RunningApp } from '../../apps/index.ts';
import { encodeHello, HELLO_BYTES, patternBytes } from '../../apps/stream-pattern.ts';
import type { TcpHost } from '../../tcp/host/host.ts';
import { ReplicationError } from '../replication/errors.ts';

export interface StreamState {
  seed: number;
  role: 'server' | 'client';
}

export function encodeStreamState(s: StreamState): Uint8Array {
  return new TextEncoder().encode(JSON.stringify({ seed: s.seed >>> 0, role: s.role }));
}

export function decodeStreamState(bytes: Uint8Array): StreamState | undefined {
  if (bytes.length === 0) return undefined;
  try {
    const v = JSON.parse(new TextDecoder().decode(bytes)) as Partial<StreamState>;
    if (typeof v.seed !== 'number' || (v.role !== 'server' && v.role !== 'client'))
      return undefined;
    return { seed: v.seed, role: v.role };
  } catch {
    return undefined;
  }
}

/** The bytes a stream app wrote at socket offset [offset, offset + length). */
export function regenerateStream(state: Uint8Array, offset: number, length: number): Uint8Array {
  const s = decodeStreamState(state);
  if (!s)
    throw new ReplicationError('REPL_MISSING_BYTES', 'stream state unknown: cannot regenerate');
  if (s.role === 'server') return patternBytes(s.seed, 's2c', offset, length);
  const out = new Uint8Array(length);
  let at = 0;
  if (offset < HELLO_BYTES) {
    const hello = encodeHello(s.seed).subarray(offset, Math.min(HELLO_BYTES, offset + length));
    out.set(hello);
    at = hello.length;
  }
  if (at < length) out.set(patternBytes(s.seed, 'c2s', offset + at - HELLO_BYTES, length - at), at);
  return out;
}

/**
 * The replicator's view of the stream app's state per connection: the encoded seed and role
 * (replicated ahead of the writes that need them), null while unknown (writes mirrored), or
 * undefined for a socket whose output is not regenerable. Asked before every input of the
 * connection: the encoding is kept with the socket (so it goes when the socket does) while
 * seed and role stay.
 */
export function streamAppState(
  host: () => TcpHost | undefined,
  apps: () => RunningApp[],
): (conn: number) => Uint8Array | null | undefined {
  const encoded = new WeakMap<object, { seed: number; role: string; bytes: Uint8Array }>();
  return (conn) => {
    const socket = host()?.socket(conn);
    if (!socket?.outputRegenerable) return undefined;
    for (const a of apps()) {
      const s = a.connectionState(conn);
      if (s && typeof s.seed === 'number' && (s.role === 'server' || s.role === 'client')) {
        const known = encoded.get(socket);
        if (known && known.seed === s.seed && known.role === s.role) return known.bytes;
        const bytes = encodeStreamState({ seed: s.seed, role: s.role });
        encoded.set(socket, { seed: s.seed, role: s.role, bytes });
        return bytes;
      }
    }
    return null;
  };
}
