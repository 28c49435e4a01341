/**
 * Frames waiting for an ARP answer, per next hop: bounded, retried on a
 * deadline, dropped when the neighbour never answers.
 */

export interface PendingOptions {
  /**
   * Frames queued per unresolved neighbour. Default 256: a takeover answers every connection
   * to a peer at once (retransmissions, ACKs, replies) while its first ARP is out.
   */
  maxFramesPerHop?: number;
  /** Bytes queued per unresolved neighbour (as Linux's unres_qlen_bytes). Default 512 KiB. */
  maxBytesPerHop?: number;
  /** Unresolved neighbours tracked at once. Default 64. */
  maxHops?: number;
  /** Interval between requests in ms. Default 1000. */
  retryMs?: number;
  /** Requests sent before giving up. Default 3. */
  maxRequests?: number;
}

interface PendingHop {
  /** Complete frames whose destination MAC (bytes 0..5) is filled in on resolution. */
  frames: Uint8Array[];
  bytes: number;
  requestsSent: number;
  nextRequest: number;
}

export type EnqueueResult = 'queued-new' | 'queued' | 'full';

export class ArpPending {
  private readonly hops = new Map<number, PendingHop>();
  private readonly maxFramesPerHop: number;
  private readonly maxBytesPerHop: number;
  private readonly maxHops: number;
  readonly retryMs: number;
  private readonly maxRequests: number;

  constructor(options: PendingOptions = {}) {
    this.maxFramesPerHop = options.maxFramesPerHop ?? 256;
    this.maxBytesPerHop = options.maxBytesPerHop ?? 512 * 1024;
    this.maxHops = options.maxHops ?? 64;
    this.retryMs = options.retryMs ?? 1000;
    this.maxRequests = options.maxRequests ?? 3;
  }

  /** Queue a frame for `hop`; 'queued-new' means the caller sends the first request now. */
  enqueue(hop: number, frame: Uint8Array, now: number): EnqueueResult {
    const existing = this.hops.get(hop);
    if (existing) {
      if (
        existing.frames.length >= this.maxFramesPerHop ||
        existing.bytes + frame.length > this.maxBytesPerHop
      )
        return 'full';
      existing.frames.push(frame);
      existing.bytes += frame.length;
      return 'queued';
    }
    if (this.hops.size >= this.maxHops) return 'full';
    this.hops.set(hop, {
      frames: [frame],
      bytes: frame.length,
      requestsSent: 1,
      nextRequest: now + this.retryMs,
    });
    return 'queued-new';
  }

  /** Frames for `hop` with their destination MAC set; the hop is no longer pending. */
  resolve(hop: number, mac: Uint8Array): Uint8Array[] {
    const p = this.hops.get(hop);
    if (!p) return [];
    this.hops.delete(hop);
    for (const f of p.frames) f.set(mac.subarray(0, 6), 0);
    return p.frames;
  }

  /**
   * Due work at `now`: hops to ask again, and the number of frames given up
   * (their neighbour never answered).
   */
  due(now: number): { retry: number[]; givenUp: number } {
    const retry: number[] = [];
    let givenUp = 0;
    for (const [hop, p] of this.hops) {
      if (now < p.nextRequest) continue;
      if (p.requestsSent >= this.maxRequests) {
        givenUp += p.frames.length;
        this.hops.delete(hop);
        continue;
      }
      p.requestsSent++;
      p.nextRequest = now + this.retryMs;
      retry.push(hop);
    }
    return { retry, givenUp };
  }

  nextDeadline(): number | undefined {
    let next: number | undefined;
    for (const p of this.hops.values())
      if (next === undefined || p.nextRequest < next) next = p.nextRequest;
    return next;
  }

  get size(): number {
    return this.hops.size;
  }
}
