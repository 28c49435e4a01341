/**
 * Segment arrival for an existing connection (RFC 9293 3.10.7.3 and 3.10.7.4, RFC 5961,
 * RFC 7323 PAWS). The engine routes LISTEN and unknown-connection cases itself.
 */

import { TcpFlag, type TcpSegment } from '../wire/tcp-types.ts';
import { TcpState } from './api.ts';
import { newReno } from './cc.ts';
import type { Ctx } from './context.ts';
import { closeConn, enterTimeWait, event, setState } from './lifecycle.ts';
import { armRtx, retransmitHead, sendAck, sendRstFor, transmit } from './output.ts';
import { rttSample } from './rtt.ts';
import { seqAdd, seqDiff, seqGt, seqInRange, seqLe, seqLt } from './seq.ts';
import { finSeq, queueBase, rcvWnd, type Tcb } from './tcb.ts';

/** Negotiate MSS, window scale, timestamps and SACK from the peer's SYN. */
export function applySynOptions(ctx: Ctx, tcb: Tcb, seg: TcpSegment): void {
  const o = seg.options;
  const peerMss = Math.max(48, o.mss ?? 536);
  tcb.wsOk = o.wscale !== undefined;
  tcb.sndWscale = tcb.wsOk ? Math.min(14, o.wscale!) : 0;
  tcb.rcvWscale = tcb.wsOk ? ctx.cfg.wscale : 0;
  tcb.tsOk = ctx.cfg.timestamps && o.timestamp !== undefined;
  if (tcb.tsOk) tcb.tsRecent = o.timestamp!.value;
  tcb.sackOk = ctx.cfg.sack && o.sackPermitted === true;
  tcb.mss = Math.min(peerMss, ctx.cfg.mss) - (tcb.tsOk ? 12 : 0);
  tcb.irs = seg.seq;
  tcb.rcvNxt = seqAdd(seg.seq, 1);
  tcb.rcvAdv = tcb.rcvNxt;
  tcb.lastAckSent = tcb.rcvNxt;
  tcb.sndWnd = seg.window; // a SYN's window is never scaled
  tcb.maxSndWnd = seg.window;
  tcb.sndWl1 = seg.seq;
  newReno.init(tcb, ctx.cfg.initialWindow);
}

function established(ctx: Ctx, tcb: Tcb): void {
  setState(ctx, tcb, tcb.finQueued ? TcpState.FIN_WAIT_1 : TcpState.ESTABLISHED);
  tcb.lastRecvTime = ctx.now;
  if (tcb.keepalive) tcb.keepaliveDeadline = ctx.now + ctx.cfg.keepaliveIdleMs;
  if (tcb.passive) {
    tcb.passive = false;
    ctx.out.push({
      kind: 'event',
      conn: tcb.id,
      event: 'accepted',
      port: tcb.listenPort,
      remoteAddr: tcb.remoteAddr,
      remotePort: tcb.remotePort,
    });
  } else {
    event(ctx, tcb, 'established');
  }
}

function sampleRtt(ctx: Ctx, tcb: Tcb, seg: TcpSegment, ack: number): void {
  const ts = seg.options.timestamp;
  if (tcb.tsOk && ts && ts.echo !== 0) {
    const rtt = seqDiff(seqAdd(ctx.now, tcb.tsOffset), ts.echo);
    if (rtt >= 0) rttSample(tcb, rtt, ctx.cfg);
  } else if (tcb.rttSeq >= 0 && seqGt(ack, tcb.rttSeq)) {
    rttSample(tcb, ctx.now - tcb.rttTime, ctx.cfg);
    tcb.rttSeq = -1;
  }
}

function synSent(ctx: Ctx, tcb: Tcb, seg: TcpSegment): void {
  const f = seg.flags;
  const hasAck = (f & TcpFlag.ACK) !== 0;
  if (hasAck && (seqLe(seg.ack, tcb.iss) || seqGt(seg.ack, tcb.sndMax))) {
    if (!(f & TcpFlag.RST)) {
      ctx.out.push({
        kind: 'segment',
        conn: tcb.id,
        src: tcb.localAddr,
        dst: tcb.remoteAddr,
        segment: { ...emptySeg(tcb), seq: seg.ack, flags: TcpFlag.RST },
      });
    }
    return;
  }
  if (f & TcpFlag.RST) {
    if (hasAck) closeConn(ctx, tcb, 'refused');
    return;
  }
  if (!(f & TcpFlag.SYN)) return;
  applySynOptions(ctx, tcb, seg);
  if (tcb.tsOk && seg.options.timestamp) tcb.tsRecent = seg.options.timestamp.value;
  if (hasAck) {
    tcb.sndUna = seg.ack;
    tcb.sndWl2 = seg.ack;
    sampleRtt(ctx, tcb, seg, seg.ack);
    tcb.rtxCount = 0;
    tcb.rtxDeadline = -1;
    established(ctx, tcb);
    tcb.ackNow = true;
    transmit(ctx, tcb);
  } else {
    // Simultaneous open: answer with SYN-ACK from our ISS.
    setState(ctx, tcb, TcpState.SYN_RECEIVED);
    retransmitHead(ctx, tcb);
  }
}

function emptySeg(tcb: Tcb): TcpSegment {
  return {
    srcPort: tcb.localPort,
    dstPort: tcb.remotePort,
    seq: 0,
    ack: 0,
    flags: 0,
    window: 0,
    urgent: 0,
    options: {},
    payload: new Uint8Array(0),
  };
}

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
      ctx.out.push({
        kind: 'segment',
        conn: tcb.id,
        src: tcb.localAddr,
        dst: tcb.remoteAddr,
        segment: { ...emptySeg(tcb), seq: seg.ack, flags: TcpFlag.RST },
      });
      return;
    }
    tcb.sndWnd = seg.window << tcb.sndWscale;
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

/** ACK field processing; false when the segment must be dropped. */
function processAck(
  ctx: Ctx,
  tcb: Tcb,
  seg: TcpSegment,
  seq: number,
  dataLen: number,
  flags: number,
): boolean {
  const ack = seg.ack;
  if (seqGt(ack, tcb.sndMax)) {
    sendAck(ctx, tcb); // acknowledges something not yet sent
    return false;
  }
  if (seqLt(ack, seqAdd(tcb.sndUna, -Math.max(tcb.maxSndWnd, 1)))) {
    sendAck(ctx, tcb); // RFC 5961 5.2 challenge ACK
    return false;
  }
  const newWnd = seg.window << tcb.sndWscale;
  let finAcked = false;
  if (seqGt(ack, tcb.sndUna)) {
    const acked = seqDiff(ack, tcb.sndUna);
    const fin = finSeq(tcb);
    finAcked = tcb.finQueued && seqGt(ack, fin);
    const dataAcked = Math.min(tcb.sendQueue.length, seqDiff(ack, queueBase(tcb)));
    sampleRtt(ctx, tcb, seg, ack);
    tcb.rtxCount = 0;
    tcb.persistBackoff = 0;
    if (dataAcked > 0) tcb.sendQueue.drop(dataAcked);
    tcb.sndUna = ack;
    if (seqLt(tcb.sndNxt, ack)) tcb.sndNxt = ack;
    const again = newReno.onAck(tcb, acked, ack);
    if (tcb.sndUna === tcb.sndMax) {
      tcb.rtxDeadline = -1;
    } else {
      tcb.rtxStart = ctx.now;
      armRtx(ctx, tcb);
      if (again) retransmitHead(ctx, tcb);
    }
    if (tcb.drainArmed && tcb.sendQueue.length <= tcb.sndBuf >>> 1) {
      tcb.drainArmed = false;
      event(ctx, tcb, 'drain');
    }
  } else if (
    ack === tcb.sndUna &&
    dataLen === 0 &&
    !(flags & (TcpFlag.SYN | TcpFlag.FIN)) &&
    newWnd === tcb.sndWnd &&
    tcb.sndMax !== tcb.sndUna
  ) {
    if (newReno.onDupAck(tcb)) retransmitHead(ctx, tcb);
  }
  // Window update (RFC 9293 3.10.7.4, SND.WL1/SND.WL2 rule).
  if (seqLt(tcb.sndWl1, seq) || (tcb.sndWl1 === seq && seqLe(tcb.sndWl2, ack))) {
    tcb.sndWnd = newWnd;
    tcb.sndWl1 = seq;
    tcb.sndWl2 = ack;
    if (newWnd > tcb.maxSndWnd) tcb.maxSndWnd = newWnd;
    if (newWnd > 0 && tcb.persistDeadline >= 0) {
      tcb.persistDeadline = -1;
      tcb.persistBackoff = 0;
    }
  }
  if (finAcked) {
    switch (tcb.state) {
      case TcpState.FIN_WAIT_1:
        setState(ctx, tcb, TcpState.FIN_WAIT_2);
        if (tcb.appClosed) tcb.timeWaitDeadline = ctx.now + ctx.cfg.finWait2TimeoutMs;
        break;
      case TcpState.CLOSING:
        enterTimeWait(ctx, tcb);
        break;
      case TcpState.LAST_ACK:
        closeConn(ctx, tcb);
        return false;
    }
  }
  return true;
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
  if (tcb.unackedBytes >= 2 * ctx.cfg.mss || ctx.cfg.delayedAckMs === 0) tcb.ackNow = true;
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
