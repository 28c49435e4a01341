/**
 * Out-of-order segments held until the gap before them fills. Ranges never overlap and are kept
 * sorted by sequence number; the total is bounded (newer data beyond the bound is dropped).
 */
import { seqAdd, seqDiff, seqGt, seqLt } from './seq.ts';

/** Bound on held pieces, so tiny segments cannot make insertion quadratic. */
const MAX_RANGES = 1024;

export interface OooRange {
  seq: number;
  data: Uint8Array;
}

export class Reassembly {
  ranges: OooRange[] = [];
  bytes = 0;
  /** Most recently changed block's left edge, for the first SACK block (RFC 2018). */
  lastSeq = -1;

  constructor(public limit: number) {}

  /**
   * Keep [seq, seq+data.length) beyond rcvNxt. Overlaps with held data are trimmed away.
   * Returns false when nothing new was stored.
   */
  insert(seq: number, data: Uint8Array): boolean {
    let stored = false;
    let s = seq;
    let d = data;
    let i = 0;
    while (d.length > 0) {
      while (i < this.ranges.length && seqDiff(this.end(i), s) <= 0) i++;
      const next = this.ranges[i];
      let take = d.length;
      if (next) {
        const gap = seqDiff(next.seq, s);
        if (gap <= 0) {
          // s lies inside `next`: skip the overlap.
          const skip = Math.min(d.length, seqDiff(this.end(i), s));
          s = seqAdd(s, skip);
          d = d.subarray(skip);
          continue;
        }
        take = Math.min(take, gap);
      }
      if (this.bytes + take > this.limit) take = this.limit - this.bytes;
      if (take <= 0 || this.ranges.length >= MAX_RANGES) break;
      this.ranges.splice(i, 0, { seq: s, data: d.subarray(0, take) });
      this.bytes += take;
      this.lastSeq = s;
      stored = true;
      s = seqAdd(s, take);
      d = d.subarray(take);
      i++;
    }
    return stored;
  }

  private end(i: number): number {
    const r = this.ranges[i]!;
    return seqAdd(r.seq, r.data.length);
  }

  /** Remove and return the data now contiguous with rcvNxt (after trimming anything before it). */
  takeFrom(rcvNxt: number): Uint8Array[] {
    const out: Uint8Array[] = [];
    let next = rcvNxt;
    while (this.ranges.length > 0) {
      const r = this.ranges[0]!;
      if (seqGt(r.seq, next)) break;
      this.ranges.shift();
      this.bytes -= r.data.length;
      const skip = seqDiff(next, r.seq);
      if (skip < r.data.length) {
        const d = r.data.subarray(skip);
        out.push(d);
        next = seqAdd(next, d.length);
      }
    }
    return out;
  }

  /** Up to `max` SACK blocks (merged runs), the one holding the newest data first. */
  sackBlocks(max: number): { left: number; right: number }[] {
    const runs: { left: number; right: number }[] = [];
    for (let i = 0; i < this.ranges.length; i++) {
      const r = this.ranges[i]!;
      const last = runs[runs.length - 1];
      if (last && last.right === r.seq) last.right = this.end(i);
      else runs.push({ left: r.seq, right: this.end(i) });
    }
    const first = runs.findIndex(
      (b) => !seqLt(this.lastSeq, b.left) && seqLt(this.lastSeq, b.right),
    );
    if (first > 0) runs.unshift(runs.splice(first, 1)[0]!);
    return runs.slice(0, max);
  }

  clear(): void {
    this.ranges = [];
    this.bytes = 0;
  }
}
