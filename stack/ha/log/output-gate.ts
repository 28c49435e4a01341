/**
 * Output commit: outputs (segments) wait until the standby confirmed the log record they depend
 * on, so a peer never sees state the standby does not have. First in, first out: an output never
 * overtakes an earlier one. When the standby is not hot, or the IPC alarm timeout has passed,
 * the gate stops waiting and everything goes at once.
 */

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

export class OutputGate<T> {
  private readonly queue: Held<T>[] = [];
  private head = 0;
  private confirmed = 0;
  private waiting = false;

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
    return [];
  }

  /** Cumulative confirmation from the standby. */
  confirm(index: number, now: number): Released<T>[] {
    if (index > this.confirmed) this.confirmed = index;
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

  private release(now: number, all: boolean): Released<T>[] {
    const out: Released<T>[] = [];
    while (this.head < this.queue.length) {
      const h = this.queue[this.head]!;
      if (!all && h.dependsOn > this.confirmed) break;
      out.push({ output: h.output, heldMs: now - h.since });
      this.head++;
    }
    if (this.head === this.queue.length) {
      this.queue.length = 0;
      this.head = 0;
    }
    return out;
  }
}
