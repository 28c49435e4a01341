/**
 * A token bucket per connection: how many bytes may go (or be taken in) now
 * at the configured rate, with a burst of 100 ms so timers firing late do not
 * lose throughput.
 */
export class Pacer {
  private tokens: number;
  private last: number;

  constructor(
    private readonly bytesPerSecond: number,
    now: number,
  ) {
    this.tokens = bytesPerSecond / 10;
    this.last = now;
  }

  available(now: number): number {
    const burst = this.bytesPerSecond / 10;
    this.tokens = Math.min(burst, this.tokens + ((now - this.last) * this.bytesPerSecond) / 1000);
    this.last = now;
    return Math.floor(this.tokens);
  }

  take(n: number): void {
    this.tokens -= n;
  }
}
