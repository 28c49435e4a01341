/**
 * Building and sending segments: SYN/SYN-ACK, data with Nagle and sender SWS avoidance, FIN,
 * pure ACKs with the receive window (never moving its right edge left), SACK blocks.
 */

import { TcpFlag, type TcpOptions, type TcpSegment } from '../wire/tcp-types.ts';
import { type TcpOutput, TcpState } from './api.ts';
import type { Ctx } from './context.ts';
import { backedOffRto } from './rtt.ts';
import { sackedBelow, sackSkip } from './sack.ts';
import { seqAdd, seqDiff, seqGt, seqLt, seqMin } from './seq.ts';
import { finSeq, queueBase, type Tcb } from './tcb.ts';

const EMPTY = new Uint8Array(0);
let zeros = new Uint8Array(0);

/** Send-queue bytes [off, off+len) for an output, or a shared zero stand-in (ctx.payloads). */
function queued(ctx: Ctx, tcb: Tcb, off: number, len: number): Uint8Array {
  if (ctx.payloads) return tcb.sendQueue.read(off, len);
  if (len > zeros.length) zeros = new Uint8Array(Math.max(len, 65536));
  return zeros.subarray(0, len);
}

/** Window field to announce now; updates RCV.ADV. SYN windows are never scaled. */
export function announceWindow(ctx: Ctx, tcb: Tcb, syn: boolean): number {
  const free = Math.max(0, tcb.rcvBuf - tcb.rcvUnconsumed);
  if (syn) {
    const field = Math.min(free, 65535);
    tcb.rcvAdv = seqAdd(tcb.rcvNxt, field);
    return field;
  }
  const cur = Math.max(0, seqDiff(tcb.rcvAdv, tcb.rcvNxt));
  // Receiver SWS avoidance (RFC 9293 3.8.6.2.2): grow only by a useful amount.
  const wnd = announceWindowGrowth(ctx, tcb) ? free : cur;
  const shift = tcb.rcvWscale;
  let field = wnd >>> shift;
  if (field << shift < cur) field++; // round up rather than shrink the edge
  field = Math.min(field, 65535);
  const edge = seqAdd(tcb.rcvNxt, field << shift);
  if (seqGt(edge, tcb.rcvAdv)) tcb.rcvAdv = edge;
  return field;
}

/** Would announcing now open the window by a useful amount (SWS rule) or from zero? */
export function announceWindowGrowth(ctx: Ctx, tcb: Tcb): boolean {
  const free = Math.max(0, tcb.rcvBuf - tcb.rcvUnconsumed);
  const cur = Math.max(0, seqDiff(tcb.rcvAdv, tcb.rcvNxt));
  const step = Math.min(ctx.cfg.mss, Math.floor(tcb.rcvBuf / 2));
  return free - cur >= step || (free > cur && free === tcb.rcvBuf);
}

function tsOption(ctx: Ctx, tcb: Tcb): { value: number; echo: number } {
  return { value: seqAdd(ctx.now, tcb.tsOffset), echo: tcb.tsRecent };
}

/** Emit one segment from the connection; every non-RST segment after the SYN carries ACK. */
export function emit(
  ctx: Ctx,
  tcb: Tcb,
  seq: number,
  flags: number,
  payload: Uint8Array,
  sackBlocks?: { left: number; right: number }[],
  gsoSize = 0,
): void {
  const syn = (flags & TcpFlag.SYN) !== 0;
  const options: TcpOptions = {};
  if (syn) {
    options.mss = ctx.cfg.mss;
    if (tcb.state === TcpState.SYN_SENT || tcb.wsOk) options.wscale = tcb.rcvWscale;
    if (tcb.state === TcpState.SYN_SENT ? ctx.cfg.sack : tcb.sackOk) options.sackPermitted = true;
    if (tcb.state === TcpState.SYN_SENT ? ctx.cfg.timestamps : tcb.tsOk) {
      options.timestamp = { value: seqAdd(ctx.now, tcb.tsOffset), echo: tcb.tsRecent };
    }
  } else if (tcb.tsOk) {
    options.timestamp = tsOption(ctx, tcb);
  }
  if (sackBlocks && sackBlocks.length > 0) options.sack = sackBlocks;
  const hasAck = (flags & TcpFlag.ACK) !== 0;
  const window = announceWindow(ctx, tcb, syn);
  const segment: TcpSegment = {
    srcPort: tcb.localPort,
    dstPort: tcb.remotePort,
    seq,
    ack: hasAck ? tcb.rcvNxt : 0,
    flags,
    window,
    urgent: 0,
    options,
    payload,
  };
  if (gsoSize > 0) segment.gsoSize = gsoSize;
  if (hasAck) {
    tcb.lastAckSent = tcb.rcvNxt;
    tcb.unackedBytes = 0;
    tcb.ackNow = false;
    tcb.ackDeadline = -1;
  }
  ctx.out.push({ kind: 'segment', conn: tcb.id, src: tcb.localAddr, dst: tcb.remoteAddr, segment });
}

function sackFor(tcb: Tcb): { left: number; right: number }[] | undefined {
  if (!tcb.sackOk || tcb.ooo.ranges.length === 0) return undefined;
  return tcb.ooo.sackBlocks(tcb.tsOk ? 3 : 4);
}

function sackBytes(blocks: { left: number; right: number }[] | undefined): number {
  return blocks ? 4 + 8 * blocks.length : 0;
}

/** Pure ACK. Its SEQ is SND.MAX, not a rewound SND.NXT, so the peer finds it acceptable (as BSD). */
export function sendAck(ctx: Ctx, tcb: Tcb): void {
  emit(ctx, tcb, tcb.sndMax, TcpFlag.ACK, EMPTY, sackFor(tcb));
}

export function armRtx(ctx: Ctx, tcb: Tcb): void {
  tcb.rtxDeadline = ctx.now + backedOffRto(tcb, ctx.cfg);
  // Never sleep past the user timeout (RFC 9293 3.10.8).
  if (tcb.userTimeoutMs > 0) {
    tcb.rtxDeadline = Math.max(
      ctx.now,
      Math.min(tcb.rtxDeadline, tcb.rtxStart + tcb.userTimeoutMs),
    );
  }
}

function sendSyn(ctx: Ctx, tcb: Tcb): void {
  const flags = tcb.state === TcpState.SYN_SENT ? TcpFlag.SYN : TcpFlag.SYN | TcpFlag.ACK;
  // Time the first SYN (never a retransmitted one: Karn).
  if (tcb.sndNxt === tcb.iss && tcb.rtxCount === 0) {
    tcb.rttSeq = tcb.iss;
    tcb.rttTime = ctx.now;
  } else {
    tcb.rttSeq = -1;
  }
  emit(ctx, tcb, tcb.iss, flags, EMPTY);
  if (seqLt(tcb.sndNxt, seqAdd(tcb.iss, 1))) tcb.sndNxt = seqAdd(tcb.iss, 1);
  if (seqLt(tcb.sndMax, tcb.sndNxt)) tcb.sndMax = tcb.sndNxt;
  if (tcb.rtxDeadline < 0) armRtx(ctx, tcb);
}

/** Retransmit the segment at SND.UNA (fast retransmit, partial ACK, RTO, resume). */
export function retransmitHead(ctx: Ctx, tcb: Tcb): void {
  if (tcb.state === TcpState.SYN_SENT || tcb.state === TcpState.SYN_RECEIVED) {
    sendSyn(ctx, tcb);
    return;
  }
  const outstanding = seqDiff(tcb.sndMax, tcb.sndUna);
  if (outstanding <= 0) return;
  const blocks = sackFor(tcb);
  const dataLen = Math.min(tcb.sendQueue.length, outstanding, tcb.mss - sackBytes(blocks));
  let flags = TcpFlag.ACK;
  if (tcb.finQueued && dataLen === tcb.sendQueue.length && seqGt(tcb.sndMax, finSeq(tcb))) {
    flags |= TcpFlag.FIN;
  }
  if (dataLen > 0 && dataLen === tcb.sendQueue.length) flags |= TcpFlag.PSH;
  tcb.rttSeq = -1; // Karn: never time a retransmitted segment
  emit(ctx, tcb, tcb.sndUna, flags, queued(ctx, tcb, 0, dataLen), blocks);
}

function canSendData(tcb: Tcb): boolean {
  const s = tcb.state;
  return (
    s === TcpState.ESTABLISHED ||
    s === TcpState.CLOSE_WAIT ||
    s === TcpState.FIN_WAIT_1 ||
    s === TcpState.CLOSING ||
    s === TcpState.LAST_ACK
  );
}

/** Send whatever is allowed now (data, FIN), else a pending ACK; arm the timers that need it. */
export function transmit(ctx: Ctx, tcb: Tcb): void {
  if (tcb.state === TcpState.SYN_SENT || tcb.state === TcpState.SYN_RECEIVED) {
    if (tcb.sndNxt === tcb.iss) sendSyn(ctx, tcb);
    return;
  }
  let sent = false;
  if (canSendData(tcb)) {
    const base = queueBase(tcb);
    const fin = finSeq(tcb);
    for (;;) {
      // Going back after a timeout: skip what the peer already SACKed.
      let room = Number.POSITIVE_INFINITY;
      if (tcb.sacked.length > 0 && seqLt(tcb.sndNxt, tcb.sndMax)) {
        const skip = sackSkip(tcb, tcb.sndNxt);
        tcb.sndNxt = seqMin(skip.start, tcb.sndMax);
        room = skip.room;
      }
      const off = seqDiff(tcb.sndNxt, base);
      const avail = tcb.sendQueue.length - off;
      const inflight = seqDiff(tcb.sndNxt, tcb.sndUna);
      // SACKed bytes have left the network (fast recovery counts them by inflating cwnd instead).
      const pipe =
        tcb.sacked.length > 0 && !tcb.inRecovery
          ? inflight - sackedBelow(tcb, tcb.sndNxt)
          : inflight;
      const usable = Math.min(tcb.sndWnd - inflight, tcb.cwnd - pipe);
      if (avail > 0) {
        const blocks = sackFor(tcb);
        const segMax = tcb.mss - sackBytes(blocks);
        let len = Math.min(avail, segMax, usable, room);
        if (len <= 0) break;
        if (len < segMax && len !== room) {
          const all = len === avail;
          const nagleOk = !tcb.nagle || inflight === 0 || tcb.finQueued;
          const bigEnough = len >= tcb.maxSndWnd >>> 1 && inflight === 0;
          if (!((all && nagleOk) || bigEnough)) break;
        }
        // TSO: the run of segments this loop would send next, as one super-segment.
        const run =
          len === segMax && ctx.cfg.tsoMaxBytes > 0
            ? tsoRunLength(tcb, segMax, Math.min(avail, usable, room), avail, room, ctx.cfg)
            : len;
        const gso = run > segMax ? segMax : 0;
        len = run;
        let flags = TcpFlag.ACK;
        if (len === avail) flags |= TcpFlag.PSH;
        if (len === avail && tcb.finQueued) flags |= TcpFlag.FIN;
        const wasNew = tcb.sndNxt === tcb.sndMax;
        emit(ctx, tcb, tcb.sndNxt, flags, queued(ctx, tcb, off, len), blocks, gso);
        if (wasNew && tcb.rttSeq < 0 && !tcb.tsOk) {
          tcb.rttSeq = tcb.sndNxt;
          tcb.rttTime = ctx.now;
        }
        tcb.sndNxt = seqAdd(tcb.sndNxt, len + ((flags & TcpFlag.FIN) !== 0 ? 1 : 0));
        sent = true;
      } else if (tcb.finQueued && tcb.sndNxt === fin) {
        emit(ctx, tcb, tcb.sndNxt, TcpFlag.ACK | TcpFlag.FIN, EMPTY, sackFor(tcb));
        tcb.sndNxt = seqAdd(tcb.sndNxt, 1);
        sent = true;
      } else {
        break;
      }
      if (seqGt(tcb.sndNxt, tcb.sndMax)) tcb.sndMax = tcb.sndNxt;
      if (tcb.rtxDeadline < 0) {
        tcb.rtxStart = ctx.now;
        armRtx(ctx, tcb);
      }
    }
    // Window too small to send into and nothing in flight: only the persist timer can help.
    const unsent = tcb.sendQueue.length - seqDiff(tcb.sndNxt, base);
    if (unsent > 0 && tcb.sndUna === tcb.sndMax && tcb.persistDeadline < 0) armPersist(ctx, tcb);
  }
  if (!sent && tcb.ackNow) {
    if (!ctx.deferAck) sendAck(ctx, tcb);
    else if (tcb.ackDeadline < 0 || tcb.ackDeadline > ctx.now) tcb.ackDeadline = ctx.now;
  }
}

/**
 * Bytes of the run of segments that transmit() would send one by one from here,
 * the first being full-sized: full segments while `limit` (the least of unsent
 * bytes, window and SACK room) allows, then the shorter tail it would also send
 * at once (all unsent data with Nagle off or a FIN queued, or up to a SACKed
 * range), within tsoMaxBytes. The tail never gets Nagle's first-segment pass:
 * earlier segments of the run are in flight by then.
 */
function tsoRunLength(
  tcb: Tcb,
  segMax: number,
  limit: number,
  avail: number,
  room: number,
  cfg: Ctx['cfg'],
): number {
  const maxSegs = Math.max(1, Math.floor(cfg.tsoMaxBytes / segMax));
  const full = Math.min(maxSegs, Math.floor(limit / segMax));
  let run = full * segMax;
  const tail = limit - run;
  if (full < maxSegs && tail > 0 && run + tail <= cfg.tsoMaxBytes) {
    const all = run + tail === avail;
    if (run + tail === room || (all && (!tcb.nagle || tcb.finQueued))) run += tail;
  }
  return run;
}

export function armPersist(ctx: Ctx, tcb: Tcb): void {
  const base = Math.max(tcb.rto, ctx.cfg.rtoMinMs);
  const t = Math.min(ctx.cfg.rtoMaxMs, base * 2 ** Math.min(tcb.persistBackoff, 16));
  tcb.persistDeadline = ctx.now + t;
}

/** RST from a connection (abort). */
export function sendRstFor(ctx: Ctx, tcb: Tcb): void {
  const segment: TcpSegment = {
    srcPort: tcb.localPort,
    dstPort: tcb.remotePort,
    seq: tcb.sndMax,
    ack: tcb.rcvNxt,
    flags: TcpFlag.RST | TcpFlag.ACK,
    window: 0,
    urgent: 0,
    options: {},
    payload: EMPTY,
  };
  ctx.out.push({ kind: 'segment', conn: tcb.id, src: tcb.localAddr, dst: tcb.remoteAddr, segment });
}

/** RFC 9293 3.10.7.1 reply to a segment for no connection (never to an RST). */
export function rstReply(out: TcpOutput[], localAddr: number, src: number, seg: TcpSegment): void {
  if (seg.flags & TcpFlag.RST) return;
  let segment: TcpSegment;
  if (seg.flags & TcpFlag.ACK) {
    segment = {
      srcPort: seg.dstPort,
      dstPort: seg.srcPort,
      seq: seg.ack,
      ack: 0,
      flags: TcpFlag.RST,
      window: 0,
      urgent: 0,
      options: {},
      payload: EMPTY,
    };
  } else {
    const len =
      seg.payload.length + (seg.flags & TcpFlag.SYN ? 1 : 0) + (seg.flags & TcpFlag.FIN ? 1 : 0);
    segment = {
      srcPort: seg.dstPort,
      dstPort: seg.srcPort,
      seq: 0,
      ack: seqAdd(seg.seq, len),
      flags: TcpFlag.RST | TcpFlag.ACK,
      window: 0,
      urgent: 0,
      options: {},
      payload: EMPTY,
    };
  }
  out.push({ kind: 'segment', conn: -1, src: localAddr, dst: src, segment });
}
