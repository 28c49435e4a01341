/** Test stream bytes: a pure function of (seed, offset), so receivers verify without a copy. */
function mix(x: number): number {
  let h = x >>> 0;
  h = Math.imul(h ^ (h >>> 16), 0x7feb352d);
  h = Math.imul(h ^ (h >>> 15), 0x846ca68b);
  return (h ^ (h >>> 16)) >>> 0;
}

export function fillPattern(seed: number, offset: number, out: Uint8Array): Uint8Array {
  for (let i = 0; i < out.length; i++) {
    const at = offset + i;
    out[i] = (mix(seed ^ Math.floor(at / 4)) >>> ((at & 3) * 8)) & 0xff;
  }
  return out;
}

/** Offset of the first mismatch in `bytes` (which start at `offset`), or -1. */
export function checkPattern(seed: number, offset: number, bytes: Uint8Array): number {
  const want = fillPattern(seed, offset, new Uint8Array(bytes.length));
  for (let i = 0; i < bytes.length; i++) if (bytes[i] !== want[i]) return offset + i;
  return -1;
}
