/** Opening a connection: SYN options, SYN-SENT processing, the move to ESTABLISHED. */
import { TcpFlag, type TcpSegment } from '../wire/tcp-types.ts';
import { TcpState } from './api.ts';
import { newReno } from './cc.ts';
import type { Ctx } from './context.ts';
import { closeConn, event, setState } from './lifecycle.ts';
import { retransmitHead, transmit } from './output.ts';
import { rttSample } from './rtt.ts';
import { seqAdd, seqDiff, seqGt, seqLe } from './seq.ts';
import type { Tcb } from './tcb.ts';

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

export function established(ctx: Ctx, tcb: Tcb): void {
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

export function sampleRtt(ctx: Ctx, tcb: Tcb, seg: TcpSegment, ack: number): void {
  const ts = seg.options.timestamp;
  if (tcb.tsOk && ts && ts.echo !== 0) {
    const rtt = seqDiff(seqAdd(ctx.now, tcb.tsOffset), ts.echo);
    if (rtt >= 0) rttSample(tcb, rtt, ctx.cfg);
  } else if (tcb.rttSeq >= 0 && seqGt(ack, tcb.rttSeq)) {
    rttSample(tcb, ctx.now - tcb.rttTime, ctx.cfg);
    tcb.rttSeq = -1;
  }
}

export function synSent(ctx: Ctx, tcb: Tcb, seg: TcpSegment): void {
  const f = seg.flags;
  const hasAck = (f & TcpFlag.ACK) !== 0;
  if (hasAck && (seqLe(seg.ack, tcb.iss) || seqGt(seg.ack, tcb.sndMax))) {
    if (!(f & TcpFlag.RST)) rstForAck(ctx, tcb, seg.ack);
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

/** RST answering an unacceptable ACK (RFC 9293 3.10.7.3/3.10.7.4): <SEQ=SEG.ACK><CTL=RST>. */
export function rstForAck(ctx: Ctx, tcb: Tcb, ack: number): void {
  ctx.out.push({
    kind: 'segment',
    conn: tcb.id,
    src: tcb.localAddr,
    dst: tcb.remoteAddr,
    segment: { ...emptySeg(tcb), seq: ack, flags: TcpFlag.RST },
  });
}

export function emptySeg(tcb: Tcb): TcpSegment {
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
