/**
 * What a standby overhears on the front. Once the active's switch port is gone (power cut,
 * pulled card, killed daemon: its TAP leaves the bridge) the switch no longer knows where the
 * chassis MAC is and floods the peers' frames to every port, this board's too. Kept for one
 * detection time and fed to the engine at takeover, a segment a peer sent while the active was
 * dead is answered at once instead of after the peer's retransmission timeout, which backs off:
 * a retransmission lost just before the takeover used to cost the peer another 2 × RTO.
 *
 * Segments the active did receive and process come back as duplicates: the engine ACKs them
 * and changes nothing else, so the age bound only keeps that cost small.
 */
import type { TcpSegment } from '../../tcp/api.ts';

export interface OverheardSegment {
  src: number;
  dst: number;
  segment: TcpSegment;
  at: number;
}

export interface OverheardLimits {
  /** Older segments were received while the mate still answered heartbeats. */
  maxAgeMs: number;
  maxSegments?: number;
  maxPayloadBytes?: number;
}

export class OverheardInput {
  private kept: OverheardSegment[] = [];
  private head = 0;
  private payloadBytes = 0;
  private readonly maxSegments: number;
  private readonly maxPayloadBytes: number;
  readonly stats = { kept: 0, expired: 0, dropped: 0, replayed: 0 };

  constructor(private readonly limits: OverheardLimits) {
    this.maxSegments = limits.maxSegments ?? 8192;
    this.maxPayloadBytes = limits.maxPayloadBytes ?? 8 * 1024 * 1024;
  }

  get size(): number {
    return this.kept.length - this.head;
  }

  /** Keep a copy (the link reuses its receive buffers); the oldest go first past a bound. */
  keep(src: number, dst: number, segment: TcpSegment, now: number): void {
    this.expire(now);
    const payload = new Uint8Array(segment.payload); // a copy, even of a Buffer
    while (
      this.size > 0 &&
      (this.size >= this.maxSegments || this.payloadBytes + payload.length > this.maxPayloadBytes)
    ) {
      this.stats.dropped++;
      this.shift();
    }
    this.kept.push({ src, dst, segment: { ...segment, payload }, at: now });
    this.payloadBytes += payload.length;
    this.stats.kept++;
  }

  /** What is still young enough at `now`, oldest first; forgets everything. */
  take(now: number): OverheardSegment[] {
    this.expire(now);
    const out = this.kept.slice(this.head);
    this.stats.replayed += out.length;
    this.clear();
    return out;
  }

  clear(): void {
    this.kept = [];
    this.head = 0;
    this.payloadBytes = 0;
  }

  private expire(now: number): void {
    const oldest = now - this.limits.maxAgeMs;
    while (this.size > 0 && this.kept[this.head]!.at < oldest) {
      this.stats.expired++;
      this.shift();
    }
  }

  private shift(): void {
    const s = this.kept[this.head++]!;
    this.payloadBytes -= s.segment.payload.length;
    if (this.head > 1024 && this.head * 2 > this.kept.length) {
      this.kept = this.kept.slice(this.head);
      this.head = 0;
    }
  }
}
