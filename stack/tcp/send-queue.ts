/**
 * Bytes the application wrote and the peer has not acknowledged yet, as a list of chunks.
 * Offset 0 is the first unacknowledged data byte. Large writes are kept by reference (no copy);
 * small writes are coalesced into a tail chunk so that many tiny writes stay cheap.
 */
const COALESCE_BELOW = 2048;
const TAIL_CAPACITY = 16384;

/**
 * Stand-in chunks are views of this one zero buffer (never written to: push copies only small
 * writes), so queues of any length cost no memory of their own, whatever a snapshot claims.
 */
const STAND_IN_CHUNK = 1 << 20;
let zeros: Uint8Array | undefined;

export class SendQueue {
  private chunks: Uint8Array[] = [];
  /** Bytes already dropped from chunks[0]. */
  private headOff = 0;
  private total = 0;
  /** Bytes used in the last chunk when it is our own coalescing buffer, else -1. */
  private tailUsed = -1;

  get length(): number {
    return this.total;
  }

  push(bytes: Uint8Array): void {
    const n = bytes.length;
    if (n === 0) return;
    this.total += n;
    if (n < COALESCE_BELOW) {
      const last = this.chunks[this.chunks.length - 1];
      if (last && this.tailUsed >= 0 && this.tailUsed + n <= last.length) {
        last.set(bytes, this.tailUsed);
        this.tailUsed += n;
        return;
      }
      this.sealTail();
      const tail = new Uint8Array(Math.max(TAIL_CAPACITY, n));
      tail.set(bytes, 0);
      this.chunks.push(tail);
      this.tailUsed = n;
      return;
    }
    this.sealTail();
    this.chunks.push(bytes);
  }

  /**
   * Queue `n` zero bytes standing in for bytes the caller will put in later (`replaceAll`):
   * a standby holding many full queues pays for none of them.
   */
  pushStandIn(n: number): void {
    zeros ??= new Uint8Array(STAND_IN_CHUNK);
    for (let left = n; left > 0; left -= STAND_IN_CHUNK)
      this.push(zeros.subarray(0, Math.min(left, STAND_IN_CHUNK)));
  }

  /** Trim the coalescing buffer to its used length so it behaves like any chunk. */
  private sealTail(): void {
    if (this.tailUsed < 0) return;
    const i = this.chunks.length - 1;
    this.chunks[i] = this.chunks[i]!.subarray(0, this.tailUsed);
    this.tailUsed = -1;
  }

  private chunkLen(i: number): number {
    const c = this.chunks[i]!;
    const len = i === this.chunks.length - 1 && this.tailUsed >= 0 ? this.tailUsed : c.length;
    return i === 0 ? len - this.headOff : len;
  }

  /** Bytes [off, off+len): a view when they sit in one chunk, else a copy. */
  read(off: number, len: number): Uint8Array {
    if (len <= 0) return new Uint8Array(0);
    let i = 0;
    let pos = off;
    while (i < this.chunks.length && pos >= this.chunkLen(i)) {
      pos -= this.chunkLen(i);
      i++;
    }
    const first = this.chunks[i]!;
    const start = (i === 0 ? this.headOff : 0) + pos;
    if (pos + len <= this.chunkLen(i)) return first.subarray(start, start + len);
    const out = new Uint8Array(len);
    let done = 0;
    let from = start;
    while (done < len) {
      const c = this.chunks[i]!;
      const avail = (i === 0 ? this.headOff : 0) + this.chunkLen(i) - from;
      const take = Math.min(avail, len - done);
      out.set(c.subarray(from, from + take), done);
      done += take;
      i++;
      from = 0;
    }
    return out;
  }

  /** Drop n acknowledged bytes from the front. */
  drop(n: number): void {
    n = Math.min(n, this.total);
    this.total -= n;
    while (n > 0) {
      const len = this.chunkLen(0);
      if (n < len) {
        this.headOff += n;
        return;
      }
      n -= len;
      this.chunks.shift();
      this.headOff = 0;
      if (this.chunks.length === 0) this.tailUsed = -1;
    }
  }

  /** Replace every queued byte by `bytes` (same length): stand-ins replaced by the real ones. */
  replaceAll(bytes: Uint8Array): void {
    if (bytes.length !== this.total)
      throw new RangeError(`replaceAll: ${bytes.length} bytes for ${this.total} queued`);
    this.chunks = bytes.length > 0 ? [bytes] : [];
    this.headOff = 0;
    this.tailUsed = -1;
  }

  /** All queued bytes, one copy (for snapshots). */
  contents(): Uint8Array {
    return this.total === 0 ? new Uint8Array(0) : this.read(0, this.total).slice();
  }
}
