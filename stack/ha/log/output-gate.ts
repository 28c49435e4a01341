/**
 * Output commit: outputs (segments) wait until the standby confirmed the log record they depend
 * on, so a peer never sees state the standby does not have. First in, first out: an output never
 * overtakes an earlier one. When the standby is not hot, or the IPC alarm timeout has passed,
 * the gate stops waiting and everything goes at once.
 */

/**
 * What an output depends on while the records of its input are still being written (the
 * replicator waits to see whether the app consumes the bytes at once): held until `resolve`.
 */
export const AWAITING_RECORDS = Number.POSITIVE_INFINITY;

interface Held<T> {
  output: T;
  dependsOn: number;
  since: number;
}

export interface Released<T> {
  output: T;
  /** How long it was held (ms), for the output-commit latency figures. */
  heldMs: number;
}

/** Outputs that had to wait, and how long (ms): the latency output commit adds. */
export interface CommitStats {
  held: number;
  heldMsTotal: number;
  heldMsMax: number;
  /** Held outputs by wait: ≤0, ≤1, ≤2, ≤5, ≤10, ≤50 ms, longer. */
  heldMsBuckets: number[];
}

const BUCKET_LIMITS = [0, 1, 2, 5, 10, 50];

export class OutputGate<T> {
  readonly stats: CommitStats = {
    held: 0,
    heldMsTotal: 0,
    heldMsMax: 0,
    heldMsBuckets: new Array(BUCKET_LIMITS.length + 1).fill(0),
  };
  private readonly queue: Held<T>[] = [];
  private head = 0;
  private confirmed = 0;
  private waiting = false;
  /** Held outputs at AWAITING_RECORDS. */
  private awaiting = 0;

  get isWaiting(): boolean {
    return this.waiting;
  }

  get held(): number {
    return this.queue.length - this.head;
  }

  get confirmedIndex(): number {
    return this.confirmed;
  }

  /** An output produced by the record at `dependsOn` (0: depends on nothing replicated). */
  submit(output: T, dependsOn: number, now: number): Released<T>[] {
    if (!this.waiting || (this.held === 0 && dependsOn <= this.confirmed)) {
      return [{ output, heldMs: 0 }];
    }
    this.queue.push({ output, dependsOn, since: now });
    if (dependsOn === AWAITING_RECORDS) this.awaiting++;
    return [];
  }

  /** Cumulative confirmation from the standby. */
  confirm(index: number, now: number): Released<T>[] {
    if (index > this.confirmed) this.confirmed = index;
    return this.release(now, false);
  }

  /** The records the `AWAITING_RECORDS` outputs wait for are logged, the last at `index`. */
  resolve(index: number, now: number): Released<T>[] {
    // They are the newest (nothing is submitted in between), found from the tail.
    for (let i = this.queue.length - 1; i >= this.head && this.awaiting > 0; i--) {
      const h = this.queue[i]!;
      if (h.dependsOn !== AWAITING_RECORDS) continue;
      h.dependsOn = index;
      this.awaiting--;
    }
    return this.release(now, false);
  }

  /** Follows the role machine's `commit-wait` action. Turning it off releases everything. */
  setWaiting(wait: boolean, now: number): Released<T>[] {
    this.waiting = wait;
    return wait ? [] : this.release(now, true);
  }

  /** The confirmation counter restarts (new log after takeover or bulk sync). */
  resetConfirmed(index: number): void {
    this.confirmed = index;
  }

  private count(heldMs: number): void {
    const s = this.stats;
    s.held++;
    s.heldMsTotal += heldMs;
    if (heldMs > s.heldMsMax) s.heldMsMax = heldMs;
    let b = 0;
    while (b < BUCKET_LIMITS.length && heldMs > BUCKET_LIMITS[b]!) b++;
    s.heldMsBuckets[b]!++;
  }

  private release(now: number, all: boolean): Released<T>[] {
    const out: Released<T>[] = [];
    while (this.head < this.queue.length) {
      const h = this.queue[this.head]!;
      if (!all && h.dependsOn > this.confirmed) break;
      if (h.dependsOn === AWAITING_RECORDS) this.awaiting--;
      const heldMs = now - h.since;
      out.push({ output: h.output, heldMs });
      this.count(heldMs);
      this.head++;
    }
    if (this.head === this.queue.length) {
      this.queue.length = 0;
      this.head = 0;
    }
    return out;
  }
}
