/** Sequence-number arithmetic modulo 2^32 (RFC 9293 3.4). Never compare raw values with `<`. */

/** a + b normalised to an unsigned 32-bit value. */
export function seqAdd(a: number, b: number): number {
  return (a + b) >>> 0;
}

/** Signed distance a - b in (-2^31, 2^31]. */
export function seqDiff(a: number, b: number): number {
  return (a - b) | 0;
}

export function seqLt(a: number, b: number): boolean {
  return ((a - b) | 0) < 0;
}

export function seqLe(a: number, b: number): boolean {
  return ((a - b) | 0) <= 0;
}

export function seqGt(a: number, b: number): boolean {
  return ((a - b) | 0) > 0;
}

export function seqGe(a: number, b: number): boolean {
  return ((a - b) | 0) >= 0;
}

/** lo <= x < hi (modulo 2^32). */
export function seqInRange(x: number, lo: number, hi: number): boolean {
  return seqLe(lo, x) && seqLt(x, hi);
}

export function seqMax(a: number, b: number): number {
  return seqLt(a, b) ? b : a;
}

export function seqMin(a: number, b: number): number {
  return seqLt(a, b) ? a : b;
}
