/** Bounded ARP cache with expiry; time is passed in, never read from a clock. */

export interface ArpEntry {
  ip: number;
  mac: Uint8Array;
  /** Absolute time (ms) after which the entry is no longer used. */
  expires: number;
}

export interface ArpCacheOptions {
  /** Most entries kept; the least recently learned one goes first. Default 256. */
  maxEntries?: number;
  /** Lifetime of a learned entry in ms. Default 60 000. */
  ttlMs?: number;
}

export class ArpCache {
  // Map iteration follows insertion order: re-inserting on refresh keeps the oldest first
  private readonly entries = new Map<number, ArpEntry>();
  readonly maxEntries: number;
  readonly ttlMs: number;

  constructor(options: ArpCacheOptions = {}) {
    this.maxEntries = Math.max(1, options.maxEntries ?? 256);
    this.ttlMs = options.ttlMs ?? 60_000;
  }

  lookup(ip: number, now: number): Uint8Array | undefined {
    const e = this.entries.get(ip);
    if (!e) return undefined;
    if (now > e.expires) {
      this.entries.delete(ip);
      return undefined;
    }
    return e.mac;
  }

  has(ip: number): boolean {
    return this.entries.has(ip);
  }

  /** Insert or refresh an entry (the MAC is copied: frames are reused by the link). */
  learn(ip: number, mac: Uint8Array, now: number): void {
    this.entries.delete(ip);
    this.entries.set(ip, { ip, mac: mac.slice(0, 6), expires: now + this.ttlMs });
    while (this.entries.size > this.maxEntries) {
      const oldest = this.entries.keys().next();
      if (oldest.done) break;
      this.entries.delete(oldest.value);
    }
  }

  /** Drop expired entries at once (lookups expire lazily; maxEntries bounds the cache either way). */
  expire(now: number): void {
    for (const [ip, e] of this.entries) if (now > e.expires) this.entries.delete(ip);
  }

  get size(): number {
    return this.entries.size;
  }

  list(): ArpEntry[] {
    return [...this.entries.values()];
  }
}
