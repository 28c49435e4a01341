/**
 * Real time for the pure engine: a monotonic millisecond clock and a single
 * timer kept at the engine's next deadline. Both behind small interfaces so
 * tests drive the host in virtual time.
 */

export interface Clock {
  /** Integer milliseconds, never decreasing. */
  now(): number;
}

export interface Scheduler {
  /** Call fn after about delayMs; returns a handle for cancel. */
  schedule(delayMs: number, fn: () => void): unknown;
  cancel(handle: unknown): void;
}

/** Monotonic clock (performance.now, unaffected by wall-clock changes), whole ms. */
export const monotonicClock: Clock = {
  now: () => Math.floor(performance.now()),
};

export const nodeScheduler: Scheduler = {
  schedule(delayMs, fn) {
    const t = setTimeout(fn, delayMs);
    // The engine's timers must never keep a finished process alive.
    t.unref();
    return t;
  },
  cancel(handle) {
    clearTimeout(handle as ReturnType<typeof setTimeout>);
  },
};

/**
 * One timer armed at the earliest deadline asked for. A later deadline leaves
 * the armed (earlier) timer alone: the engine treats an early timer input as
 * harmless and the owner re-arms after it fires, so re-arming stays rare
 * during bulk transfer.
 */
export class DeadlineTimer {
  private handle: unknown = undefined;
  private armedAt = -1;

  constructor(
    private readonly clock: Clock,
    private readonly scheduler: Scheduler,
    private readonly onFire: (now: number) => void,
  ) {}

  /** The deadline currently armed, -1 when none. */
  get deadline(): number {
    return this.armedAt;
  }

  /** Ensure the timer fires no later than `deadline` (absolute ms); -1 = nothing due. */
  arm(deadline: number): void {
    if (deadline < 0) return;
    if (this.armedAt >= 0 && this.armedAt <= deadline) return;
    this.cancel();
    this.armedAt = deadline;
    const delay = Math.max(0, deadline - this.clock.now());
    this.handle = this.scheduler.schedule(delay, () => this.fire());
  }

  cancel(): void {
    if (this.handle !== undefined) this.scheduler.cancel(this.handle);
    this.handle = undefined;
    this.armedAt = -1;
  }

  private fire(): void {
    const deadline = this.armedAt;
    this.handle = undefined;
    this.armedAt = -1;
    const now = this.clock.now();
    // Node may fire a millisecond early; never hand the engine a time before the deadline.
    if (now < deadline) {
      this.arm(deadline);
      return;
    }
    this.onFire(now);
  }
}

/** Virtual time for tests: advance() runs every timer due, in (deadline, creation) order. */
export class ManualClock implements Clock, Scheduler {
  private t: number;
  private seq = 0;
  /** Binary min-heap on (at, id); cancelled ids are skipped when they surface. */
  private readonly heap: { at: number; id: number; fn: () => void }[] = [];
  private readonly live = new Set<number>();

  constructor(start = 0) {
    this.t = start;
  }

  now(): number {
    return this.t;
  }

  schedule(delayMs: number, fn: () => void): unknown {
    const id = ++this.seq;
    this.live.add(id);
    this.push({ at: this.t + Math.max(0, delayMs), id, fn });
    return id;
  }

  cancel(handle: unknown): void {
    this.live.delete(handle as number);
  }

  pending(): number {
    return this.live.size;
  }

  /** Move time forward by ms, firing due timers (including ones they schedule). */
  advance(ms: number): void {
    const end = this.t + ms;
    for (;;) {
      const top = this.heap[0];
      if (!top || top.at > end) break;
      this.pop();
      if (!this.live.delete(top.id)) continue;
      this.t = Math.max(this.t, top.at);
      top.fn();
    }
    this.t = end;
  }

  private less(i: number, j: number): boolean {
    const a = this.heap[i]!;
    const b = this.heap[j]!;
    return a.at < b.at || (a.at === b.at && a.id < b.id);
  }

  private swap(i: number, j: number): void {
    const h = this.heap;
    [h[i], h[j]] = [h[j]!, h[i]!];
  }

  private push(entry: { at: number; id: number; fn: () => void }): void {
    this.heap.push(entry);
    let i = this.heap.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!this.less(i, parent)) break;
      this.swap(i, parent);
      i = parent;
    }
  }

  private pop(): void {
    const last = this.heap.pop()!;
    if (this.heap.length === 0) return;
    this.heap[0] = last;
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let m = i;
      if (l < this.heap.length && this.less(l, m)) m = l;
      if (r < this.heap.length && this.less(r, m)) m = r;
      if (m === i) return;
      this.swap(i, m);
      i = m;
    }
  }
}
