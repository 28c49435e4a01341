/**
 * Segment arrival for an existing connection (RFC 9293 3.10.7.3 and 3.10.7.4, RFC 5961,
 * RFC 7323 PAWS). The engine routes LISTEN and unknown-connection cases itself.
 */
import { TcpFlag, type TcpSegment } from '../wire/tcp-types.ts';
import { peerWindow, processAck } from './ack.ts';
import { TcpState } from './api.ts';
import type { Ctx } from './context.ts';
import { established, rstForAck, sampleRtt, synSent } from './input-open.ts';
import { closeConn, enterTimeWait, event, setState } from './lifecycle.ts';
import { retransmitHead, sendAck, sendRstFor, transmit } from './output.ts';
import { seqAdd, seqDiff, seqGt, seqInRange, seqLe, seqLt } from './seq.ts';
import { rcvWnd, type Tcb } from './tcb.ts';

export { applySynOptions } from './input-open.ts';

const OOW_ACK_INTERVAL_MS = 500;

/** RFC 9293 3.10.7.4 acceptability test (with the zero-window allowance for ACKs). */
function acceptable(tcb: Tcb, seq: number, segLen: number): boolean {
  const wnd = Math.max(0, rcvWnd(tcb));
  const end = seqAdd(tcb.rcvNxt, wnd);
  if (segLen === 0) return wnd === 0 ? seq === tcb.rcvNxt : seqInRange(seq, tcb.rcvNxt, end);
  if (wnd === 0) return seq === tcb.rcvNxt;
  return seqInRange(seq, tcb.rcvNxt, end) || seqInRange(seqAdd(seq, segLen - 1), tcb.rcvNxt, end);
}

export function segmentArrives(ctx: Ctx, tcb: Tcb, seg: TcpSegment): void {
  if (tcb.state === TcpState.SYN_SENT) {
    synSent(ctx, tcb, seg);
    return;
  }
  let flags = seg.flags;
  let seq = seg.seq;
  let payload = seg.payload;
  const ts = seg.options.timestamp;

  if (tcb.state === TcpState.SYN_RECEIVED && flags & TcpFlag.SYN && seq === tcb.irs) {
    if (!(flags & TcpFlag.ACK)) {
      retransmitHead(ctx, tcb); // the peer lost our SYN-ACK
      return;
    }
    flags &= ~TcpFlag.SYN; // simultaneous open: its SYN-ACK acknowledges ours
    seq = seqAdd(seq, 1);
  }

  // PAWS (RFC 7323 5.3).
  if (tcb.tsOk && ts && !(flags & TcpFlag.RST) && seqLt(ts.value, tcb.tsRecent)) {
    sendAck(ctx, tcb);
    return;
  }

  const segLen = payload.length + (flags & TcpFlag.SYN ? 1 : 0) + (flags & TcpFlag.FIN ? 1 : 0);
  if (!acceptable(tcb, seq, segLen)) {
    if (!(flags & TcpFlag.RST)) {
      if (tcb.state === TcpState.TIME_WAIT && flags & TcpFlag.FIN) {
        tcb.timeWaitDeadline = ctx.now + ctx.cfg.msl2Ms;
      }
      if (segLen === 0 && seq !== seqAdd(tcb.rcvNxt, -1)) {
        // A pure ACK outside the window: answer at most every 500 ms so two confused ends
        // cannot ACK each other forever (as Linux). Zero-window probes are always answered.
        if (tcb.lastOowAckTime >= 0 && ctx.now - tcb.lastOowAckTime < OOW_ACK_INTERVAL_MS) return;
        tcb.lastOowAckTime = ctx.now;
      }
      sendAck(ctx, tcb);
    }
    return;
  }
  tcb.lastRecvTime = ctx.now;
  tcb.keepaliveProbes = 0;

  // Trim to the window: drop what we already have, and what lies beyond the right edge.
  const head = seqDiff(tcb.rcvNxt, seq);
  if (head > 0) {
    let h = head;
    if (flags & TcpFlag.SYN) {
      flags &= ~TcpFlag.SYN;
      h--;
    }
    payload = payload.subarray(Math.min(payload.length, h));
    seq = tcb.rcvNxt;
  }
  const room = Math.max(0, seqDiff(tcb.rcvAdv, seq));
  if (payload.length > room) {
    payload = payload.subarray(0, room);
    flags &= ~TcpFlag.FIN;
    tcb.ackNow = true;
  }
  if (tcb.tsOk && ts && seqLe(seq, tcb.lastAckSent)) tcb.tsRecent = ts.value;

  if (flags & TcpFlag.RST) {
    if (seq !== tcb.rcvNxt) {
      sendAck(ctx, tcb); // RFC 5961 3.2 challenge ACK
      return;
    }
    const s = tcb.state;
    if (s === TcpState.TIME_WAIT) return; // RFC 1337
    if (s === TcpState.SYN_RECEIVED) closeConn(ctx, tcb, tcb.passive ? undefined : 'refused');
    else if (s === TcpState.CLOSING || s === TcpState.LAST_ACK) closeConn(ctx, tcb);
    else closeConn(ctx, tcb, 'reset');
    return;
  }
  if (flags & TcpFlag.SYN) {
    sendAck(ctx, tcb); // RFC 5961 4.2 challenge ACK
    return;
  }
  if (!(flags & TcpFlag.ACK)) return;

  if (tcb.state === TcpState.SYN_RECEIVED) {
    if (!(seqGt(seg.ack, tcb.sndUna) && seqLe(seg.ack, tcb.sndMax))) {
      rstForAck(ctx, tcb, seg.ack);
      return;
    }
    // Our SYN is acknowledged: account for it here so the send queue starts at SND.UNA.
    sampleRtt(ctx, tcb, seg, seg.ack);
    tcb.rtxCount = 0;
    tcb.rtxDeadline = -1;
    tcb.sndUna = seqAdd(tcb.iss, 1);
    tcb.sndWnd = peerWindow(tcb, seg);
    tcb.maxSndWnd = Math.max(tcb.maxSndWnd, tcb.sndWnd);
    tcb.sndWl1 = seq;
    tcb.sndWl2 = seg.ack;
    established(ctx, tcb);
  }
  if (!processAck(ctx, tcb, seg, seq, payload.length, flags)) return;
  if ((tcb.state as TcpState) === TcpState.CLOSED) return;

  if (payload.length > 0) receiveData(ctx, tcb, seq, payload);
  if ((tcb.state as TcpState) === TcpState.CLOSED) return;
  if (flags & TcpFlag.FIN) {
    const at = seqAdd(seq, payload.length);
    if (seqGe(at, tcb.rcvNxt)) tcb.rcvFinSeq = at;
  }
  if (tcb.rcvFinSeq >= 0 && tcb.rcvFinSeq === tcb.rcvNxt && !tcb.peerFin) finArrives(ctx, tcb);
  else if (tcb.state === TcpState.TIME_WAIT && flags & TcpFlag.FIN) {
    tcb.timeWaitDeadline = ctx.now + ctx.cfg.msl2Ms;
    tcb.ackNow = true;
  }
  transmit(ctx, tcb);
}

function seqGe(a: number, b: number): boolean {
  return !seqLt(a, b);
}

function receiveData(ctx: Ctx, tcb: Tcb, seq: number, payload: Uint8Array): void {
  const s = tcb.state;
  if (s !== TcpState.ESTABLISHED && s !== TcpState.FIN_WAIT_1 && s !== TcpState.FIN_WAIT_2) return;
  if (tcb.appClosed) {
    // Nobody will read it (RFC 9293 3.10.4 / Linux): reset.
    sendRstFor(ctx, tcb);
    closeConn(ctx, tcb, 'aborted');
    return;
  }
  if (seq !== tcb.rcvNxt) {
    tcb.ooo.insert(seq, payload);
    tcb.ackNow = true; // out-of-order: duplicate ACK at once (RFC 5681 4.2)
    return;
  }
  const hadGap = tcb.ooo.ranges.length > 0;
  deliver(ctx, tcb, payload);
  if (hadGap) {
    for (const d of tcb.ooo.takeFrom(tcb.rcvNxt)) deliver(ctx, tcb, d);
    tcb.ackNow = true;
  }
  if (tcb.unackedBytes >= 2 * tcb.mss || ctx.cfg.delayedAckMs === 0) tcb.ackNow = true;
  else if (tcb.ackDeadline < 0) tcb.ackDeadline = ctx.now + ctx.cfg.delayedAckMs;
}

function deliver(ctx: Ctx, tcb: Tcb, bytes: Uint8Array): void {
  tcb.rcvNxt = seqAdd(tcb.rcvNxt, bytes.length);
  tcb.rcvUnconsumed += bytes.length;
  tcb.unackedBytes += bytes.length;
  ctx.out.push({ kind: 'data', conn: tcb.id, bytes });
}

function finArrives(ctx: Ctx, tcb: Tcb): void {
  tcb.rcvNxt = seqAdd(tcb.rcvNxt, 1);
  tcb.peerFin = true;
  tcb.ackNow = true;
  tcb.ooo.clear();
  event(ctx, tcb, 'peer-fin');
  switch (tcb.state) {
    case TcpState.SYN_RECEIVED:
    case TcpState.ESTABLISHED:
      setState(ctx, tcb, TcpState.CLOSE_WAIT);
      break;
    case TcpState.FIN_WAIT_1:
      setState(ctx, tcb, TcpState.CLOSING);
      break;
    case TcpState.FIN_WAIT_2:
      enterTimeWait(ctx, tcb);
      break;
  }
}
