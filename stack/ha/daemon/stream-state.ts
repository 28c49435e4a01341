/**
 * The stream app's own state for HA (its seed and role) and the regeneration of its output:
 * a client's socket stream is the 8-byte hello then the c2s pattern; a server's is the s2c
 * pattern. Offsets are socket offsets (bytes the app wrote).
 */
import { encodeHello, HELLO_BYTES, patternBytes } from '../../apps/stream-pattern.ts';
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
