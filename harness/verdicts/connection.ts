/**
 * The flow model of one TCP connection seen in a capture: both directions,
 * their initial sequence numbers, retransmissions, acknowledgements, windows,
 * and the evidence of anything a peer would see as a drop.
 */

import { TcpFlag } from '../../stack/wire/tcp-types.ts';
import type { TcpPacket } from '../pcap/decode.ts';
import { Direction } from './direction.ts';
import { finishConnection } from './end-of-capture.ts';
import type { Evidence, EvidenceKind, FaultWindow } from './evidence.ts';
import { StallTracker } from './stalls.ts';

export interface ConnectionOptions {
  windows: FaultWindow[];
  /** A FIN before this time is a drop; without it a FIN is reported as an orderly close. */
  testEndMs?: number;
  /** A never-filled gap counts as a hole once the capture ran this long past it. */
  holeGraceMs: number;
}

/** Evidence items kept per kind (all are counted). */
const KEEP_PER_KIND = 20;

export function endpointLabel(ip: number, port: number): string {
  return `${ip >>> 24}.${(ip >>> 16) & 255}.${(ip >>> 8) & 255}.${ip & 255}:${port}`;
}

export class Connection {
  /** [client → server, server → client]; the client is the SYN's sender (else the first sender). */
  readonly dirs: [Direction, Direction];
  readonly evidence: Evidence[] = [];
  readonly evidenceCounts: Partial<Record<EvidenceKind, number>> = {};
  firstFrame = 0;
  firstMs = 0;
  lastFrame = 0;
  lastMs = 0;
  closed: 'rst' | 'fin' | undefined;
  closedMs: number | undefined;
  established = false;
  readonly stalls: StallTracker;

  constructor(
    readonly id: number,
    readonly clientIp: number,
    readonly clientPort: number,
    readonly serverIp: number,
    readonly serverPort: number,
    private readonly opts: ConnectionOptions,
  ) {
    this.dirs = [
      new Direction(endpointLabel(clientIp, clientPort)),
      new Direction(endpointLabel(serverIp, serverPort)),
    ];
    this.stalls = new StallTracker(opts.windows);
  }

  get client(): string {
    return this.dirs[0].label;
  }

  get server(): string {
    return this.dirs[1].label;
  }

  add(e: Evidence): void {
    const n = (this.evidenceCounts[e.kind] ?? 0) + 1;
    this.evidenceCounts[e.kind] = n;
    if (n <= KEEP_PER_KIND) this.evidence.push(e);
  }

  handle(p: TcpPacket, fromClient: boolean): void {
    const d = fromClient ? this.dirs[0] : this.dirs[1];
    const r = fromClient ? this.dirs[1] : this.dirs[0];
    const s = p.seg;
    const syn = (s.flags & TcpFlag.SYN) !== 0;
    const fin = (s.flags & TcpFlag.FIN) !== 0;
    const rst = (s.flags & TcpFlag.RST) !== 0;
    const hasAck = (s.flags & TcpFlag.ACK) !== 0;
    const plen = s.payload.length;
    const at = { frame: p.frame, timeMs: p.timeMs };
    if (this.firstFrame === 0) {
      this.firstFrame = p.frame;
      this.firstMs = p.timeMs;
      this.stalls.start(at);
    }
    this.lastFrame = p.frame;
    this.lastMs = p.timeMs;

    const c = d.counts;
    c.segments++;
    c.payloadBytes += plen;
    if (syn) c.syn++;
    if (fin) c.fin++;
    if (rst) c.rst++;
    if (!d.started) d.start(s.seq, syn);
    if (syn) d.wscale = s.options.wscale;

    const segStart = d.abs(s.seq);
    const dataStart = segStart + (syn ? 1 : 0);
    const segEnd = dataStart + plen + (fin ? 1 : 0);
    let progress = false;

    // One byte at the edge of a zero window probes it (as Wireshark reads it): not new data yet.
    const probe = plen === 1 && !(syn || fin) && segStart === d.nxt && r.lastWindow === 0;
    this.checkWindow(d, p, dataStart, plen);
    if (probe) c.zeroWindowProbes++;
    else if (plen <= 1 && !(syn || fin || rst) && segStart === d.nxt - 1) c.keepAlives++;
    else if (plen > 0 || syn || fin) this.classifyResend(d, p, segStart, segEnd, plen);
    if (plen > 0) this.checkPayload(d, p, dataStart, plen);
    if (plen > 0 || fin) d.coverage.see(dataStart, segEnd, p.frame, p.timeMs);
    // A pure ACK whose sequence jumps ahead claims bytes the capture missed; a RST claims nothing.
    if (segEnd > d.nxt && !rst && !probe) {
      d.nxt = segEnd;
      d.nxtFrame = p.frame;
      d.nxtTimeMs = p.timeMs;
      if (plen > 0 || syn || fin) progress = true;
    }
    if (fin && d.finAt === undefined) {
      d.finAt = dataStart + plen;
      const inTest = this.opts.testEndMs !== undefined && p.timeMs < this.opts.testEndMs;
      this.add({
        kind: 'fin',
        severity: inTest ? 'drop' : 'info',
        from: d.label,
        frame: p.frame,
        timeMs: p.timeMs,
        detail: inTest ? 'FIN before the end of the test window' : 'FIN (connection closed)',
      });
      if (r.finAt !== undefined) this.close('fin', p.timeMs);
    }
    if (rst) {
      this.add({
        kind: 'rst',
        severity: 'drop',
        from: d.label,
        frame: p.frame,
        timeMs: p.timeMs,
        detail: this.established
          ? 'RST on an established connection'
          : 'RST before the connection was established',
      });
      this.close('rst', p.timeMs);
    }
    if (
      hasAck &&
      r.started &&
      this.acknowledge(d, r, p, s.ack, s.window, syn, plen === 0 && !syn && !fin && !rst)
    ) {
      progress = true;
    }
    this.trackZeroWindow(d, p, s.window, syn || fin || rst);
    d.lastWindow = s.window;
    if (hasAck && !syn && this.dirs[0].started && this.dirs[1].started) this.established = true;
    if (progress) this.stalls.progress(at, this.closedMs);
  }

  /** Retransmission, fast or timeout-driven (or spurious): a segment that does not advance the stream. */
  private classifyResend(
    d: Direction,
    p: TcpPacket,
    segStart: number,
    segEnd: number,
    plen: number,
  ): void {
    if (segStart >= d.nxt) return;
    const c = d.counts;
    c.retransmissions++;
    let how: string;
    if (plen > 0 && d.ackSeen && segEnd <= d.acked) {
      c.spuriousRetransmissions++;
      how = 'spurious (already acknowledged)';
    } else if (d.dupAcks >= 2) {
      c.fastRetransmissions++;
      how = `fast (after ${d.dupAcks} duplicate ACKs)`;
    } else {
      c.timeoutRetransmissions++;
      how = `timeout-driven, ${(p.timeMs - d.nxtTimeMs).toFixed(1)} ms after the highest segment`;
    }
    this.add({
      kind: 'retransmission',
      severity: 'info',
      from: d.label,
      frame: p.frame,
      timeMs: p.timeMs,
      relatedFrames: [d.nxtFrame],
      detail: `retransmission of seq ${d.seq(segStart)}: ${how}`,
    });
  }

  private checkPayload(d: Direction, p: TcpPacket, dataStart: number, plen: number): void {
    if (d.ackSeen && dataStart + plen <= d.acked) return;
    const div = d.payload.add(dataStart, p.seg.payload, p.frame);
    if (d.ackSeen) d.payload.release(d.acked);
    if (!div) return;
    this.add({
      kind: 'divergence',
      severity: 'drop',
      from: d.label,
      frame: p.frame,
      timeMs: p.timeMs,
      relatedFrames: [div.firstFrame],
      detail:
        `retransmitted byte at seq ${d.seq(div.at)} is 0x${div.retransmittedByte.toString(16)}, ` +
        `first sent as 0x${div.firstByte.toString(16)} in frame ${div.firstFrame}`,
    });
  }

  /** Applies an ACK sent by d's side about r's data; returns whether it acknowledged new data. */
  private acknowledge(
    d: Direction,
    r: Direction,
    p: TcpPacket,
    ack: number,
    window: number,
    syn: boolean,
    pureAck: boolean,
  ): boolean {
    const absAck = r.abs(ack);
    let advanced = false;
    if (absAck > r.nxt && (!r.ackSeen || absAck > r.acked)) {
      this.add({
        kind: r.synSeen ? 'ack-unsent' : 'ack-unseen',
        severity: r.synSeen ? 'drop' : 'incomplete',
        from: d.label,
        frame: p.frame,
        timeMs: p.timeMs,
        relatedFrames: [r.nxtFrame],
        detail: `ACK ${ack} is ${absAck - r.nxt} bytes beyond the highest sequence ${r.seq(r.nxt)} sent by ${r.label}`,
      });
    } else if (absAck > r.coverage.contiguous) {
      this.add({
        kind: 'ack-unseen',
        severity: 'incomplete',
        from: d.label,
        frame: p.frame,
        timeMs: p.timeMs,
        detail: `ACK ${ack} covers ${absAck - r.coverage.contiguous} bytes the capture never showed`,
      });
    }
    if (!r.ackSeen || absAck > r.acked) {
      r.acked = absAck;
      r.ackSeen = true;
      r.dupAcks = 0;
      r.coverage.acknowledged(absAck);
      r.payload.release(absAck);
      advanced = true;
    } else if (absAck === r.acked && pureAck && r.nxt > absAck) {
      r.dupAcks++;
    }
    if (d.synSeen && r.synSeen) {
      const shift = !syn && d.wscale !== undefined && r.wscale !== undefined ? d.wscale : 0;
      const edge = absAck + window * 2 ** shift;
      if (!r.rightEdgeKnown || edge > r.rightEdge) r.rightEdge = edge;
      r.rightEdgeKnown = true;
    }
    return advanced;
  }

  private trackZeroWindow(d: Direction, p: TcpPacket, window: number, control: boolean): void {
    if (window === 0 && !control) {
      d.counts.zeroWindows++;
      d.zeroWindowSince ??= { frame: p.frame, timeMs: p.timeMs };
    } else if (window > 0 && d.zeroWindowSince) {
      this.endZeroWindow(d, p.frame, p.timeMs);
    }
  }

  /** Records the zero-window period of `d` that ends at this frame. */
  endZeroWindow(d: Direction, frame: number, timeMs: number): void {
    const since = d.zeroWindowSince!;
    d.zeroWindowSince = undefined;
    this.add({
      kind: 'zero-window',
      severity: 'info',
      from: d.label,
      frame: since.frame,
      timeMs: since.timeMs,
      relatedFrames: [frame],
      durationMs: timeMs - since.timeMs,
      detail: `zero window for ${(timeMs - since.timeMs).toFixed(1)} ms`,
    });
  }

  /** Out-of-window data: beyond the highest right edge the receiver ever advertised. */
  private checkWindow(d: Direction, p: TcpPacket, start: number, plen: number): void {
    if (plen === 0 || !d.rightEdgeKnown) return;
    const end = start + plen;
    // A one-byte probe of a zero window is allowed past the edge.
    if (end <= d.rightEdge || (plen === 1 && start === d.rightEdge)) return;
    this.add({
      kind: 'out-of-window',
      severity: 'drop',
      from: d.label,
      frame: p.frame,
      timeMs: p.timeMs,
      detail: `data up to seq ${d.seq(end)} is ${end - d.rightEdge} bytes past the receive window's right edge ${d.seq(d.rightEdge)}`,
    });
  }

  private close(how: 'rst' | 'fin', timeMs: number): void {
    if (this.closed) return;
    this.closed = how;
    this.closedMs = timeMs;
  }

  /** End of capture: open stalls, zero windows still open, gaps never filled. */
  finish(endMs: number, endFrame: number): void {
    finishConnection(this, endMs, endFrame, this.opts.holeGraceMs);
  }
}
