/** Sequence-number arithmetic modulo 2^32. */

/** Signed distance a - b, in (-2^31, 2^31]. */
export function seqDiff(a: number, b: number): number {
  return (a - b) | 0;
}

/** The 32-bit sequence number of an absolute stream offset from `isn`. */
export function seqAt(isn: number, abs: number): number {
  return (isn + abs) >>> 0;
}

/**
 * Maps a 32-bit sequence number to an absolute offset (from the ISN), choosing
 * the value nearest `near`: exact across any number of wraps of 2^32 as long as
 * the stream moves by less than 2^31 between two segments.
 */
export function unwrapSeq(isn: number, seq: number, near: number): number {
  return near + seqDiff(seq, seqAt(isn, near));
}
