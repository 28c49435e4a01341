/**
 * Which part of one direction's sequence space the capture has shown: one
 * contiguous prefix plus the islands seen beyond a gap. A gap that the
 * receiver never acknowledges past and that is never filled is a byte hole.
 */

export interface Island {
  start: number;
  end: number;
  /** First frame seen in this island, and its time. */
  frame: number;
  timeMs: number;
}

/** Beyond this many islands the tracker merges the oldest (a capture this broken is reported anyway). */
const MAX_ISLANDS = 4096;

export class Coverage {
  /** Everything below this offset has been seen (or acknowledged). */
  contiguous: number;
  /** Frame whose bytes ended the contiguous prefix most recently. */
  contiguousFrame = 0;
  islands: Island[] = [];

  constructor(start: number) {
    this.contiguous = start;
  }

  /** Records bytes [start, end) seen in `frame`. */
  see(start: number, end: number, frame: number, timeMs: number): void {
    if (end <= this.contiguous) return;
    if (start <= this.contiguous) {
      this.contiguous = end;
      this.contiguousFrame = frame;
      this.absorb();
      return;
    }
    this.addIsland({ start, end, frame, timeMs });
  }

  /** The receiver acknowledged up to `acked`: it has those bytes even if the capture missed some. */
  acknowledged(acked: number): void {
    if (acked <= this.contiguous) return;
    this.contiguous = acked;
    this.absorb();
  }

  /** The first gap, if any: [contiguous, first island start). */
  firstGap(): { start: number; end: number; island: Island } | undefined {
    const island = this.islands[0];
    return island ? { start: this.contiguous, end: island.start, island } : undefined;
  }

  private absorb(): void {
    while (this.islands.length > 0 && this.islands[0]!.start <= this.contiguous) {
      const island = this.islands.shift()!;
      if (island.end > this.contiguous) this.contiguous = island.end;
    }
  }

  private addIsland(next: Island): void {
    const list = this.islands;
    let i = list.length;
    while (i > 0 && list[i - 1]!.start > next.start) i--;
    list.splice(i, 0, next);
    // Merge with overlapping or touching neighbours.
    let j = Math.max(0, i - 1);
    while (j < list.length - 1) {
      const a = list[j]!;
      const b = list[j + 1]!;
      if (b.start <= a.end) {
        a.end = Math.max(a.end, b.end);
        if (b.timeMs < a.timeMs) {
          a.frame = b.frame;
          a.timeMs = b.timeMs;
        }
        list.splice(j + 1, 1);
      } else if (j >= i) {
        break;
      } else {
        j++;
      }
    }
    if (list.length > MAX_ISLANDS) {
      const [a, b] = list;
      a!.end = b!.end;
      list.splice(1, 1);
    }
  }
}
