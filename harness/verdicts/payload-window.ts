/**
 * First copies of the bytes a sender put on the wire, kept only while they
 * may still be retransmitted (until acknowledged, and within a byte budget),
 * so a retransmission can be compared with what was sent first while memory
 * stays flat whatever the length of the stream.
 */

interface Chunk {
  start: number;
  bytes: Buffer;
  frame: number;
}

export interface Divergence {
  /** Absolute stream offset of the first differing byte. */
  at: number;
  firstFrame: number;
  firstByte: number;
  retransmittedByte: number;
}

export class PayloadWindow {
  private chunks: Chunk[] = [];
  private head = 0;
  private stored = 0;
  /** Bytes dropped from the window before being acknowledged (budget exceeded). */
  evictedUnacked = 0;

  constructor(private readonly budget: number) {}

  get storedBytes(): number {
    return this.stored;
  }

  /**
   * Compares `payload` (at absolute offset `start`) with the first copies it
   * overlaps, then keeps the parts not seen before. Returns the first
   * divergence, if any.
   */
  add(start: number, payload: Uint8Array, frame: number): Divergence | undefined {
    const end = start + payload.length;
    let divergence: Divergence | undefined;
    let cursor = start;
    const fresh: Array<[number, number]> = [];
    // Chunks are sorted and disjoint; most segments append at the end, so walk back from the tail.
    let i = this.chunks.length;
    while (i > this.head && this.chunks[i - 1]!.start + this.chunks[i - 1]!.bytes.length > start)
      i--;
    for (; i < this.chunks.length && cursor < end; i++) {
      const c = this.chunks[i]!;
      const cEnd = c.start + c.bytes.length;
      if (c.start >= end) break;
      if (c.start > cursor) fresh.push([cursor, c.start]);
      const from = Math.max(cursor, c.start);
      const to = Math.min(end, cEnd);
      if (!divergence) {
        for (let at = from; at < to; at++) {
          const a = c.bytes[at - c.start]!;
          const b = payload[at - start]!;
          if (a !== b) {
            divergence = { at, firstFrame: c.frame, firstByte: a, retransmittedByte: b };
            break;
          }
        }
      }
      cursor = Math.max(cursor, to);
    }
    if (cursor < end) fresh.push([cursor, end]);
    for (const [from, to] of fresh)
      this.insert(from, payload.subarray(from - start, to - start), frame);
    this.enforceBudget();
    return divergence;
  }

  /** Forgets bytes below `acked`: the receiver has them, a retransmission would be spurious. */
  release(acked: number): void {
    while (this.head < this.chunks.length) {
      const c = this.chunks[this.head]!;
      const cEnd = c.start + c.bytes.length;
      if (cEnd <= acked) {
        this.stored -= c.bytes.length;
        this.head++;
      } else {
        if (c.start < acked) {
          const cut = acked - c.start;
          this.chunks[this.head] = { start: acked, bytes: c.bytes.subarray(cut), frame: c.frame };
          this.stored -= cut;
        }
        break;
      }
    }
    this.compact();
  }

  private insert(start: number, bytes: Uint8Array, frame: number): void {
    const chunk = { start, bytes: Buffer.from(bytes), frame };
    this.stored += bytes.length;
    const last = this.chunks[this.chunks.length - 1];
    if (this.chunks.length === this.head || (last && last.start < start)) {
      this.chunks.push(chunk);
      return;
    }
    let i = this.chunks.length;
    while (i > this.head && this.chunks[i - 1]!.start > start) i--;
    this.chunks.splice(i, 0, chunk);
  }

  private enforceBudget(): void {
    while (this.stored > this.budget && this.head < this.chunks.length) {
      const c = this.chunks[this.head++]!;
      this.stored -= c.bytes.length;
      this.evictedUnacked += c.bytes.length;
    }
    this.compact();
  }

  private compact(): void {
    if (this.head > 1024 && this.head * 2 > this.chunks.length) {
      this.chunks = this.chunks.slice(this.head);
      this.head = 0;
    }
  }
}
