/**
 * Holds the front's TCP input while replication cannot keep up (the IPC window is full) or a
 * planned switchover drains the log: the engine sees no new input, so it appends no record. Held
 * packets are copied (the link reuses its buffers) and bounded; past the bound they are dropped
 * and counted, as a full NIC ring would: the peers retransmit.
 */
import type { TcpSegment } from '../../tcp/api.ts';

export type PauseReason = 'ipc-window' | 'switchover';

interface Held {
  src: number;
  dst: number;
  segment: TcpSegment;
}

export class InputGate {
  private readonly reasons = new Set<PauseReason>();
  private queue: Held[] = [];
  readonly stats = { pauses: 0, held: 0, dropped: 0, released: 0 };

  constructor(
    private readonly deliver: (src: number, dst: number, segment: TcpSegment) => void,
    private readonly maxHeld = 4096,
  ) {}

  get paused(): boolean {
    return this.reasons.size > 0;
  }

  get heldNow(): number {
    return this.queue.length;
  }

  /** One received packet: delivered now, or held while paused. */
  receive(src: number, dst: number, segment: TcpSegment): void {
    if (!this.paused && this.queue.length === 0) {
      this.deliver(src, dst, segment);
      return;
    }
    if (this.queue.length >= this.maxHeld) {
      this.stats.dropped++;
      return;
    }
    this.stats.held++;
    this.queue.push({ src, dst, segment: { ...segment, payload: segment.payload.slice() } });
    if (!this.paused) this.release();
  }

  pause(reason: PauseReason): void {
    if (this.reasons.has(reason)) return;
    if (!this.paused) this.stats.pauses++;
    this.reasons.add(reason);
  }

  /** Lift one reason; when none is left, deliver what was held, in order, until paused again. */
  resume(reason: PauseReason): void {
    this.reasons.delete(reason);
    this.release();
  }

  /** Forget what is held (this board stopped serving the front). */
  clear(): void {
    this.stats.dropped += this.queue.length;
    this.queue = [];
    this.reasons.clear();
  }

  private release(): void {
    let i = 0;
    while (i < this.queue.length && !this.paused) {
      const h = this.queue[i++]!;
      this.stats.released++;
      this.deliver(h.src, h.dst, h.segment);
    }
    this.queue = i >= this.queue.length ? [] : this.queue.slice(i);
  }
}
