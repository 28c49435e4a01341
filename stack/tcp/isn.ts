/** RFC 6528 initial sequence numbers: M + F(4-tuple, secret), M a 4-microsecond clock. */
import { createHash } from 'node:crypto';

export function initialSequence(
  secret: Uint8Array,
  now: number,
  localAddr: number,
  localPort: number,
  remoteAddr: number,
  remotePort: number,
): number {
  const tuple = new Uint8Array(12);
  const v = new DataView(tuple.buffer);
  v.setUint32(0, localAddr >>> 0);
  v.setUint16(4, localPort);
  v.setUint32(6, remoteAddr >>> 0);
  v.setUint16(10, remotePort);
  const h = createHash('sha256').update(secret).update(tuple).digest();
  const f = h.readUInt32BE(0);
  return (f + Math.floor(now * 250)) >>> 0;
}
