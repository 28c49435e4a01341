/** Deterministic stream contents for the simulation: byte i of stream `seed`. */
import { mix32 } from '../../apps/stream-pattern.ts';

export function patternBytes(seed: number, offset: number, length: number): Uint8Array {
  const out = new Uint8Array(length);
  for (let i = 0; i < length; i++) {
    const o = offset + i;
    out[i] =
      (mix32((seed ^ Math.imul(Math.floor(o / 4), 0x9e3779b9)) >>> 0) >>> ((o & 3) * 8)) & 0xff;
  }
  return out;
}

/** A seed per stream, from what both ends know (the ports and a direction tag). */
export function streamSeed(a: number, b: number, tag: number): number {
  return mix32(Math.imul(a, 0x27d4eb2f) ^ Math.imul(b, 0x165667b1) ^ tag);
}

/** How many bytes a stream carries, from its seed: 0 .. max. */
export function streamLength(seed: number, max: number): number {
  return mix32(seed ^ 0x5bd1e995) % (max + 1);
}

/** Checks received bytes against the expected stream, offset by offset. */
export class StreamCheck {
  received = 0;
  firstMismatch = -1;

  constructor(
    readonly seed: number,
    readonly expected: number,
  ) {}

  take(bytes: Uint8Array): void {
    const want = patternBytes(this.seed, this.received, bytes.length);
    if (this.firstMismatch < 0) {
      for (let i = 0; i < bytes.length; i++) {
        if (bytes[i] !== want[i] || this.received + i >= this.expected) {
          this.firstMismatch = this.received + i;
          break;
        }
      }
    }
    this.received += bytes.length;
  }

  get complete(): boolean {
    return this.received === this.expected && this.firstMismatch < 0;
  }
}
