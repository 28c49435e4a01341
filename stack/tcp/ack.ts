/** ACK processing (RFC 9293 3.10.7.4 fifth check, RFC 5961 5.2, RFC 5681/6582 via cc.ts). */
import { TcpFlag, type TcpSegment } from '../wire/tcp-types.ts';
import { TcpState } from './api.ts';
import { newReno } from './cc.ts';
import type { Ctx } from './context.ts';
import { sampleRtt } from './input-open.ts';
import { closeConn, enterTimeWait, event, setState } from './lifecycle.ts';
import { armRtx, retransmitHead, sendAck } from './output.ts';
import { sackPrune, sackUpdate } from './sack.ts';
import { seqAdd, seqDiff, seqGt, seqLe, seqLt } from './seq.ts';
import { finSeq, queueBase, type Tcb } from './tcb.ts';

/** The peer's window in bytes; a SYN's (simultaneous open's SYN-ACK) is never scaled (RFC 7323 2.2). */
export function peerWindow(tcb: Tcb, seg: TcpSegment): number {
  return seg.flags & TcpFlag.SYN ? seg.window : seg.window << tcb.sndWscale;
}

/** ACK field processing; false when the segment must be dropped. */
export function processAck(
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
  const newWnd = peerWindow(tcb, seg);
  const advances = seqGt(ack, tcb.sndUna);
  let finAcked = false;
  if (advances) {
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
    sackPrune(tcb);
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
    // RFC 5681 wants an unchanged window; an ACK carrying SACK blocks counts regardless (RFC 6675).
    (newWnd === tcb.sndWnd || (tcb.sackOk && (seg.options.sack?.length ?? 0) > 0)) &&
    tcb.sndMax !== tcb.sndUna
  ) {
    if (newReno.onDupAck(tcb)) retransmitHead(ctx, tcb);
  }
  if (tcb.sackOk && seg.options.sack) sackUpdate(tcb, seg.options.sack);
  // Window update (RFC 9293 3.10.7.4, SND.WL1/SND.WL2 rule), and, as Linux does, on any ACK
  // that advances SND.UNA: a peer resending a hole carries an older SEQ than its pure ACKs did,
  // but the newest window.
  if (advances || seqLt(tcb.sndWl1, seq) || (tcb.sndWl1 === seq && seqLe(tcb.sndWl2, ack))) {
    const reopened = tcb.sndWnd === 0 && newWnd > 0;
    tcb.sndWnd = newWnd;
    tcb.sndWl1 = seq;
    tcb.sndWl2 = ack;
    if (newWnd > tcb.maxSndWnd) tcb.maxSndWnd = newWnd;
    // A zero window reopened: probing is over (transmit sends, or arms the SWS override
    // afresh). A small window merely repeated must not push that override back, or a peer
    // that keeps sending would keep us from ever filling it.
    if (reopened && tcb.persistDeadline >= 0) {
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
