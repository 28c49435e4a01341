/** RFC 1071 internet checksum, with the TCP/IPv4 pseudo-header. */

/** Add the 16-bit big-endian words of bytes[start, end) to a running 32-bit sum. */
export function sumWords(bytes: Uint8Array, start = 0, end = bytes.length, sum = 0): number {
  let s = sum;
  let i = start;
  const n = end - start;
  if (n >= 64) {
    // 32-bit words, two sums (fewer bounds checks per byte); 2^32 = 1 and 2^16 stays in
    // one's-complement arithmetic, so the words' plain sum folds to the same result.
    const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    const stop = start + (n - (n % 8));
    let a = 0;
    let b = 0;
    for (; i < stop; i += 8) {
      a += dv.getUint32(i);
      b += dv.getUint32(i + 4);
    }
    a += b;
    s += (a % 65536) + (Math.floor(a / 65536) % 65536) + Math.floor(a / 4294967296);
  }
  const last = end - 1;
  for (; i < last; i += 2) s += (bytes[i]! << 8) | bytes[i + 1]!;
  if (i === last) s += bytes[i]! << 8;
  // fold often enough that the sum stays a small integer
  while (s > 0xffff) s = (s & 0xffff) + (s >>> 16);
  return s;
}

/** Fold a running sum and take its one's complement. */
export function finishChecksum(sum: number): number {
  let s = sum;
  while (s > 0xffff) s = (s & 0xffff) + (s >>> 16);
  return ~s & 0xffff;
}

/** The internet checksum of bytes[start, end); 0 when a stored checksum verifies. */
export function internetChecksum(bytes: Uint8Array, start = 0, end = bytes.length): number {
  return finishChecksum(sumWords(bytes, start, end));
}

/** Sum of the IPv4 pseudo-header (source, destination, protocol, upper-layer length). */
export function pseudoHeaderSum(
  src: number,
  dst: number,
  protocol: number,
  length: number,
): number {
  return (
    (src >>> 16) + (src & 0xffff) + (dst >>> 16) + (dst & 0xffff) + protocol + (length & 0xffff)
  );
}
