/**
 * Earliest-deadline index over connections: a binary min-heap of (deadline, id) entries with
 * lazy deletion. An entry may be stale (early); it is checked against the TCB when it pops.
 */
export class TimerHeap {
  private at: number[] = [];
  private ids: number[] = [];
  /** Earliest entry registered per connection (so later deadlines need no new entry). */
  private registered = new Map<number, number>();

  get size(): number {
    return this.at.length;
  }

  /** Make sure `id` will be looked at no later than `deadline`. */
  schedule(id: number, deadline: number): void {
    if (deadline < 0) return;
    const cur = this.registered.get(id);
    if (cur !== undefined && cur <= deadline) return;
    this.registered.set(id, deadline);
    this.at.push(deadline);
    this.ids.push(id);
    this.up(this.at.length - 1);
  }

  peek(): number {
    return this.at.length > 0 ? this.at[0]! : -1;
  }

  /** Pop every entry due at `now`; returns distinct ids, ascending. */
  popDue(now: number): number[] {
    const out = new Set<number>();
    while (this.at.length > 0 && this.at[0]! <= now) {
      const id = this.ids[0]!;
      const t = this.at[0]!;
      this.removeTop();
      if (this.registered.get(id) === t) this.registered.delete(id);
      out.add(id);
    }
    return [...out].sort((a, b) => a - b);
  }

  /** Ids with an entry due at `now`, without removing them. */
  peekDue(now: number): number[] {
    const out = new Set<number>();
    for (let i = 0; i < this.at.length; i++) if (this.at[i]! <= now) out.add(this.ids[i]!);
    return [...out].sort((a, b) => a - b);
  }

  forget(id: number): void {
    this.registered.delete(id);
  }

  clear(): void {
    this.at = [];
    this.ids = [];
    this.registered.clear();
  }

  private removeTop(): void {
    const lastAt = this.at.pop()!;
    const lastId = this.ids.pop()!;
    if (this.at.length === 0) return;
    this.at[0] = lastAt;
    this.ids[0] = lastId;
    this.down(0);
  }

  private less(i: number, j: number): boolean {
    const a = this.at[i]!;
    const b = this.at[j]!;
    return a < b || (a === b && this.ids[i]! < this.ids[j]!);
  }

  private swap(i: number, j: number): void {
    const ta = this.at[i]!;
    this.at[i] = this.at[j]!;
    this.at[j] = ta;
    const ti = this.ids[i]!;
    this.ids[i] = this.ids[j]!;
    this.ids[j] = ti;
  }

  private up(i: number): void {
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!this.less(i, p)) return;
      this.swap(i, p);
      i = p;
    }
  }

  private down(i: number): void {
    const n = this.at.length;
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let m = i;
      if (l < n && this.less(l, m)) m = l;
      if (r < n && this.less(r, m)) m = r;
      if (m === i) return;
      this.swap(i, m);
      i = m;
    }
  }
}
