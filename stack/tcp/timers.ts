/** Timer expiry for one connection: retransmission, persist, keepalive, delayed ACK, TIME-WAIT. */

import { TcpFlag } from '../wire/tcp-types.ts';
import { TcpState } from './api.ts';
import { newReno } from './cc.ts';
import type { Ctx } from './context.ts';
import { closeConn } from './lifecycle.ts';
import { armPersist, armRtx, emit, retransmitHead, transmit } from './output.ts';
import { seqAdd, seqDiff } from './seq.ts';
import { queueBase, type Tcb } from './tcb.ts';

const EMPTY = new Uint8Array(0);

function due(t: number, now: number): boolean {
  return t >= 0 && t <= now;
}

export function fireTimers(ctx: Ctx, tcb: Tcb): void {
  const now = ctx.now;
  if (due(tcb.timeWaitDeadline, now)) {
    // TIME-WAIT over, or an orphaned FIN-WAIT-2 gave up waiting for the peer's FIN.
    closeConn(ctx, tcb);
    return;
  }
  if (due(tcb.rtxDeadline, now)) {
    if (!retransmitTimeout(ctx, tcb)) return;
  }
  if (due(tcb.persistDeadline, now)) persist(ctx, tcb);
  if (due(tcb.keepaliveDeadline, now)) {
    if (!keepalive(ctx, tcb)) return;
  }
  if (due(tcb.ackDeadline, now)) {
    tcb.ackDeadline = -1;
    tcb.ackNow = true;
  }
  transmit(ctx, tcb);
}

/** RFC 6298 5.4-5.7 with go-back-N; false when the connection gave up. */
function retransmitTimeout(ctx: Ctx, tcb: Tcb): boolean {
  tcb.rtxDeadline = -1;
  if (tcb.sndUna === tcb.sndMax) return true;
  const synState = tcb.state === TcpState.SYN_SENT || tcb.state === TcpState.SYN_RECEIVED;
  const limit = synState ? ctx.cfg.synRetries : ctx.cfg.maxRetries;
  const userTimedOut = tcb.userTimeoutMs > 0 && ctx.now - tcb.rtxStart >= tcb.userTimeoutMs;
  // A peer that closed its window on data in flight: our retransmissions are its window
  // probes; give up only when it has been silent for RTO.MAX (as Linux).
  const shrunk = !synState && tcb.sndWnd === 0;
  const silent = ctx.now - tcb.lastRecvTime > ctx.cfg.rtoMaxMs;
  if ((shrunk ? silent : tcb.rtxCount >= limit) || userTimedOut) {
    closeConn(ctx, tcb, 'timed-out');
    return false;
  }
  if (!synState) newReno.onRto(tcb);
  if (tcb.rtxCount >= 1) tcb.sacked = []; // a repeated timeout: the peer may have reneged
  tcb.rtxCount++;
  tcb.rttSeq = -1;
  tcb.sndNxt = tcb.sndUna;
  armRtx(ctx, tcb);
  if (shrunk) retransmitHead(ctx, tcb);
  return true;
}

function persist(ctx: Ctx, tcb: Tcb): void {
  tcb.persistDeadline = -1;
  const unsent = tcb.sendQueue.length - seqDiff(tcb.sndNxt, queueBase(tcb));
  if (unsent <= 0 || tcb.sndUna !== tcb.sndMax) return;
  if (tcb.userTimeoutMs > 0 && tcb.persistBackoff === 0) tcb.rtxStart = ctx.now;
  if (tcb.sndWnd > 0) {
    // A window smaller than we like: send what fits rather than wait (sender SWS override).
    const len = Math.min(unsent, tcb.sndWnd, tcb.mss);
    const off = seqDiff(tcb.sndNxt, queueBase(tcb));
    emit(ctx, tcb, tcb.sndNxt, TcpFlag.ACK | TcpFlag.PSH, tcb.sendQueue.read(off, len));
    tcb.sndNxt = seqAdd(tcb.sndNxt, len);
    tcb.sndMax = tcb.sndNxt;
    tcb.rtxStart = ctx.now;
    armRtx(ctx, tcb);
    return;
  }
  // Zero-window probe at SND.UNA-1: the peer answers with its current window.
  emit(ctx, tcb, seqAdd(tcb.sndUna, -1), TcpFlag.ACK, EMPTY);
  tcb.persistBackoff++;
  armPersist(ctx, tcb);
}

/** false when the connection gave up. */
function keepalive(ctx: Ctx, tcb: Tcb): boolean {
  const cfg = ctx.cfg;
  tcb.keepaliveDeadline = -1;
  if (!tcb.keepalive || tcb.state !== TcpState.ESTABLISHED) return true;
  const idleUntil = tcb.lastRecvTime + cfg.keepaliveIdleMs;
  const busy = tcb.sndUna !== tcb.sndMax || tcb.sendQueue.length > 0;
  if (tcb.keepaliveProbes === 0 && (ctx.now < idleUntil || busy)) {
    tcb.keepaliveDeadline = Math.max(idleUntil, ctx.now + (busy ? cfg.keepaliveIdleMs : 0));
    return true;
  }
  if (tcb.keepaliveProbes >= cfg.keepaliveProbes) {
    closeConn(ctx, tcb, 'timed-out');
    return false;
  }
  emit(ctx, tcb, seqAdd(tcb.sndUna, -1), TcpFlag.ACK, EMPTY);
  tcb.keepaliveProbes++;
  tcb.keepaliveDeadline = ctx.now + cfg.keepaliveIntervalMs;
  return true;
}
