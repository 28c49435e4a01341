/**
 * Time for links and daemons. A VirtualClock runs events only when told to
 * advance, so simulations are deterministic; a TimerScheduler uses real timers.
 */

export interface Scheduler {
  /** Current time in milliseconds. */
  now(): number;
  /** Run `fn` at absolute time `time` (at once on the next advance if already past). */
  at(time: number, fn: () => void): void;
}

interface Entry {
  time: number;
  order: number;
  fn: () => void;
}

/** Min-heap ordered by (time, insertion order): same-time events run in the order scheduled. */
class EventHeap {
  private items: Entry[] = [];

  get size(): number {
    return this.items.length;
  }
  peek(): Entry | undefined {
    return this.items[0];
  }
  push(e: Entry): void {
    const a = this.items;
    a.push(e);
    let i = a.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!before(a[i]!, a[p]!)) break;
      [a[i], a[p]] = [a[p]!, a[i]!];
      i = p;
    }
  }
  pop(): Entry | undefined {
    const a = this.items;
    const top = a[0];
    const last = a.pop();
    if (a.length > 0 && last) {
      a[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < a.length && before(a[l]!, a[m]!)) m = l;
        if (r < a.length && before(a[r]!, a[m]!)) m = r;
        if (m === i) break;
        [a[i], a[m]] = [a[m]!, a[i]!];
        i = m;
      }
    }
    return top;
  }
}

function before(x: Entry, y: Entry): boolean {
  return x.time < y.time || (x.time === y.time && x.order < y.order);
}

export class VirtualClock implements Scheduler {
  private current: number;
  private order = 0;
  private readonly heap = new EventHeap();

  constructor(start = 0) {
    this.current = start;
  }

  now(): number {
    return this.current;
  }

  at(time: number, fn: () => void): void {
    this.heap.push({ time, order: this.order++, fn });
  }

  /** Time of the earliest pending event, or undefined when idle. */
  nextTime(): number | undefined {
    return this.heap.peek()?.time;
  }

  get pending(): number {
    return this.heap.size;
  }

  /** Run every event due up to `to` (events scheduled meanwhile included), then set the time to `to`. */
  advance(to: number): void {
    for (;;) {
      const next = this.heap.peek();
      if (!next || next.time > to) break;
      this.heap.pop();
      if (next.time > this.current) this.current = next.time;
      next.fn();
    }
    if (to > this.current) this.current = to;
  }

  /** Run events until none is left or `limit` ms have passed; returns the final time. */
  runUntilIdle(limit = Number.POSITIVE_INFINITY): number {
    const end = this.current + limit;
    for (;;) {
      const t = this.nextTime();
      if (t === undefined || t > end) break;
      this.advance(t);
    }
    return this.current;
  }
}

/** Real time, real timers: for a MemoryLink inside a running process. */
export class TimerScheduler implements Scheduler {
  private readonly timers = new Set<NodeJS.Timeout>();

  now(): number {
    return performance.now();
  }

  at(time: number, fn: () => void): void {
    const timer = setTimeout(
      () => {
        this.timers.delete(timer);
        fn();
      },
      Math.max(0, time - this.now()),
    );
    this.timers.add(timer);
  }

  cancelAll(): void {
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
  }
}
