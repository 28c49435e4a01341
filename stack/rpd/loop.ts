/**
 * The daemon's event loop: frames from the link and due deadlines go to the
 * stack; one real timer is armed for the earliest deadline of all components.
 * Components hold no timers of their own (the TCP engine and HA plug in here).
 */
import type { Link } from '../link/link.ts';

export interface TimedComponent {
  /** Earliest absolute time (ms) at which handle() has work, or undefined. */
  nextDeadline(): number | undefined;
  handle(now: number): void;
}

export type StatusProvider = () => unknown;
export type FrameReceiver = (frame: Uint8Array, now: number) => void;

/** Integer milliseconds from a monotonic clock. */
export const monotonicMs = (): number => Math.floor(performance.now());

export interface EventLoopOptions {
  link: Link;
  receive: FrameReceiver;
  clock?: () => number;
  /** Called when a component throws; the loop carries on. */
  onError?: (where: string, err: unknown) => void;
}

export class EventLoop {
  private readonly components = new Map<string, TimedComponent>();
  private readonly statusProviders = new Map<string, StatusProvider>();
  private timer: NodeJS.Timeout | undefined;
  private timerAt: number | undefined;
  private running = false;
  readonly clock: () => number;

  constructor(private readonly options: EventLoopOptions) {
    this.clock = options.clock ?? monotonicMs;
  }

  addComponent(name: string, component: TimedComponent): void {
    this.components.set(name, component);
    if (this.running) this.poke();
  }

  addStatus(name: string, provider: StatusProvider): void {
    this.statusProviders.set(name, provider);
  }

  /** Every provider's view, by name; a failing provider reports its error instead. */
  status(): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    for (const [name, provider] of this.statusProviders) {
      try {
        out[name] = provider();
      } catch (err) {
        out[name] = { error: (err as Error).message };
      }
    }
    return out;
  }

  start(): void {
    this.running = true;
    this.options.link.onFrames((frames) => {
      const now = this.clock();
      for (const f of frames) this.options.receive(f, now);
      this.poke();
    });
    this.poke();
  }

  /** Run whatever is due now and re-arm the timer; call after any input from outside the loop. */
  poke(): void {
    if (!this.running) return;
    const now = this.clock();
    // a handler may make more work due at once (e.g. a retransmission); bound the rounds
    for (let round = 0; round < 16; round++) {
      let ran = false;
      for (const [name, c] of this.components) {
        const due = this.safe(name, () => c.nextDeadline());
        if (due !== undefined && due <= now) {
          this.safe(name, () => c.handle(now));
          ran = true;
        }
      }
      if (!ran) break;
    }
    this.arm();
  }

  private arm(): void {
    let next: number | undefined;
    for (const [name, c] of this.components) {
      const d = this.safe(name, () => c.nextDeadline());
      if (d !== undefined && (next === undefined || d < next)) next = d;
    }
    if (next === this.timerAt) return;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.timerAt = next;
    if (next === undefined) return;
    this.timer = setTimeout(
      () => {
        this.timer = undefined;
        this.timerAt = undefined;
        this.poke();
      },
      Math.max(0, next - this.clock()),
    );
  }

  private safe<T>(name: string, fn: () => T): T | undefined {
    try {
      return fn();
    } catch (err) {
      this.options.onError?.(name, err);
      return undefined;
    }
  }

  stop(): void {
    this.running = false;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.timerAt = undefined;
  }
}
