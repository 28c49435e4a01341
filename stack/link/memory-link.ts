/**
 * Two connected in-memory links with seeded faults: loss, duplication,
 * reordering, corruption, delay with jitter, and partitions. Delivery goes
 * through a Scheduler, by default a VirtualClock the test advances itself.
 */
import { type FramesHandler, type Link, LinkError } from './link.ts';
import { Prng } from './prng.ts';
import { type Scheduler, VirtualClock } from './scheduler.ts';

export interface MemoryLinkOptions {
  /** PRNG seed; the same seed and the same sends give the same deliveries. */
  seed?: number;
  /** Probability that a frame is lost. */
  loss?: number;
  /** Probability that a frame is delivered twice. */
  duplicate?: number;
  /** Probability that a frame is held back by `reorderMs` extra, so later frames overtake it. */
  reorder?: number;
  reorderMs?: number;
  /** Probability that one byte of a frame is flipped. */
  corrupt?: number;
  /** Base one-way delay in ms. */
  delayMs?: number;
  /** Uniform extra delay in [0, jitterMs). */
  jitterMs?: number;
  /** Frames above this length are dropped (like an MTU). */
  maxFrame?: number;
  scheduler?: Scheduler;
}

export interface MemoryLinkStats {
  sent: number;
  delivered: number;
  lost: number;
  duplicated: number;
  reordered: number;
  corrupted: number;
}

interface Shared {
  options: MemoryLinkOptions;
  prng: Prng;
  scheduler: Scheduler;
  connected: boolean;
}

export class MemoryLink implements Link {
  private handler: FramesHandler | undefined;
  private peer!: MemoryLink;
  private closed = false;
  readonly stats: MemoryLinkStats = {
    sent: 0,
    delivered: 0,
    lost: 0,
    duplicated: 0,
    reordered: 0,
    corrupted: 0,
  };

  private constructor(
    readonly name: string,
    private readonly shared: Shared,
  ) {}

  /** A connected pair [a, b]; what a sends, b receives, and the other way round. */
  static pair(
    options: MemoryLinkOptions = {},
    names: [string, string] = ['mem0', 'mem1'],
  ): [MemoryLink, MemoryLink] {
    const shared: Shared = {
      options,
      prng: new Prng(options.seed ?? 1),
      scheduler: options.scheduler ?? new VirtualClock(),
      connected: true,
    };
    const a = new MemoryLink(names[0], shared);
    const b = new MemoryLink(names[1], shared);
    a.peer = b;
    b.peer = a;
    return [a, b];
  }

  get scheduler(): Scheduler {
    return this.shared.scheduler;
  }

  /** Cut or restore the cable: while cut, every frame is lost (both directions). */
  setConnected(connected: boolean): void {
    this.shared.connected = connected;
  }

  /** Change fault settings mid-run (e.g. faults on for a safety phase, off for liveness). */
  setFaults(options: Omit<MemoryLinkOptions, 'scheduler' | 'seed'>): void {
    Object.assign(this.shared.options, options);
  }

  onFrames(handler: FramesHandler): void {
    this.handler = handler;
  }

  send(frame: Uint8Array): boolean {
    if (this.closed) throw new LinkError('LINK_CLOSED', `${this.name} is closed`);
    const { options: o, prng, scheduler } = this.shared;
    this.stats.sent++;
    if (
      !this.shared.connected ||
      (o.maxFrame !== undefined && frame.length > o.maxFrame) ||
      prng.chance(o.loss ?? 0)
    ) {
      this.stats.lost++;
      return true; // the wire took it; the loss is silent, as on a real cable
    }
    const copies = prng.chance(o.duplicate ?? 0) ? 2 : 1;
    if (copies === 2) this.stats.duplicated++;
    for (let c = 0; c < copies; c++) {
      let bytes: Uint8Array = frame.slice();
      if (prng.chance(o.corrupt ?? 0) && bytes.length > 0) {
        bytes = corruptOne(bytes, prng);
        this.stats.corrupted++;
      }
      let delay = (o.delayMs ?? 0) + (o.jitterMs ? prng.next() * o.jitterMs : 0);
      if (prng.chance(o.reorder ?? 0)) {
        delay += o.reorderMs ?? Math.max(1, (o.delayMs ?? 0) + (o.jitterMs ?? 0));
        this.stats.reordered++;
      }
      const peer = this.peer;
      scheduler.at(scheduler.now() + delay, () => peer.deliver(bytes));
    }
    return true;
  }

  private deliver(frame: Uint8Array): void {
    if (this.closed || !this.handler) return;
    this.stats.delivered++;
    this.handler([frame]);
  }

  close(): void {
    this.closed = true;
    this.handler = undefined;
  }
}

function corruptOne(bytes: Uint8Array, prng: Prng): Uint8Array {
  const at = prng.below(bytes.length);
  bytes[at] = (bytes[at]! ^ (1 + prng.below(255))) & 0xff;
  return bytes;
}
