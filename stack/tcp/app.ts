/** Application calls on a connection (RFC 9293 3.10.2-3.10.5): send, receive window, close. */
import { type ConnOptions, TcpState } from './api.ts';
import type { Ctx } from './context.ts';
import { TcpError } from './errors.ts';
import { closeConn, setState } from './lifecycle.ts';
import {
  announceWindowGrowth,
  armRtx,
  retransmitHead,
  sendAck,
  sendRstFor,
  transmit,
} from './output.ts';
import type { Tcb } from './tcb.ts';

function canWrite(tcb: Tcb): boolean {
  const s = tcb.state;
  return (
    !tcb.finQueued &&
    (s === TcpState.ESTABLISHED ||
      s === TcpState.CLOSE_WAIT ||
      s === TcpState.SYN_SENT ||
      s === TcpState.SYN_RECEIVED)
  );
}

export function appSend(ctx: Ctx, tcb: Tcb, bytes: Uint8Array): void {
  if (!canWrite(tcb)) {
    throw new TcpError('TCP_BAD_STATE', `connection ${tcb.id}: cannot send in this state`);
  }
  tcb.sendQueue.push(bytes);
  if (tcb.sendQueue.length >= tcb.sndBuf) tcb.drainArmed = true;
  transmit(ctx, tcb);
}

export function appConsume(ctx: Ctx, tcb: Tcb, n: number): void {
  tcb.rcvUnconsumed = Math.max(0, tcb.rcvUnconsumed - Math.max(0, Math.floor(n)));
  const s = tcb.state;
  if (s === TcpState.ESTABLISHED || s === TcpState.FIN_WAIT_1 || s === TcpState.FIN_WAIT_2) {
    // Window update only when the window at least doubles (as Linux): data ACKs carry the rest.
    const cur = Math.max(0, (tcb.rcvAdv - tcb.rcvNxt) | 0);
    const free = tcb.rcvBuf - tcb.rcvUnconsumed;
    if (cur * 2 <= tcb.rcvBuf && free >= 2 * cur && announceWindowGrowth(ctx, tcb)) {
      sendAck(ctx, tcb);
    }
  }
}

export function appSetOptions(ctx: Ctx, tcb: Tcb, o: ConnOptions): void {
  if (o.nagle !== undefined) tcb.nagle = o.nagle;
  if (o.userTimeoutMs !== undefined) tcb.userTimeoutMs = o.userTimeoutMs;
  if (o.sndBuf !== undefined) tcb.sndBuf = o.sndBuf;
  if (o.rcvBuf !== undefined) tcb.rcvBuf = Math.min(o.rcvBuf, 65535 << ctx.cfg.wscale);
  if (o.keepalive !== undefined) {
    tcb.keepalive = o.keepalive;
    tcb.keepaliveProbes = 0;
    tcb.keepaliveDeadline =
      o.keepalive && tcb.state === TcpState.ESTABLISHED ? ctx.now + ctx.cfg.keepaliveIdleMs : -1;
  }
  transmit(ctx, tcb);
}

/** Half-close: FIN after the queued data. */
export function appShutdown(ctx: Ctx, tcb: Tcb): void {
  if (tcb.finQueued) return;
  switch (tcb.state) {
    case TcpState.SYN_SENT:
    case TcpState.SYN_RECEIVED:
      tcb.finQueued = true; // sent once established
      return;
    case TcpState.ESTABLISHED:
      tcb.finQueued = true;
      setState(ctx, tcb, TcpState.FIN_WAIT_1);
      break;
    case TcpState.CLOSE_WAIT:
      tcb.finQueued = true;
      setState(ctx, tcb, TcpState.LAST_ACK);
      break;
    default:
      return;
  }
  transmit(ctx, tcb);
}

export function appClose(ctx: Ctx, tcb: Tcb): void {
  if (tcb.state === TcpState.SYN_SENT) {
    closeConn(ctx, tcb);
    return;
  }
  if (tcb.rcvUnconsumed > 0 || tcb.ooo.bytes > 0) {
    appAbort(ctx, tcb); // unread data is lost: tell the peer (Linux, RFC 2525 2.17)
    return;
  }
  tcb.appClosed = true;
  if (tcb.state === TcpState.FIN_WAIT_2 && tcb.timeWaitDeadline < 0) {
    tcb.timeWaitDeadline = ctx.now + ctx.cfg.finWait2TimeoutMs;
  }
  appShutdown(ctx, tcb);
}

export function appAbort(ctx: Ctx, tcb: Tcb): void {
  const s = tcb.state;
  if (s !== TcpState.SYN_SENT && s !== TcpState.TIME_WAIT && s !== TcpState.CLOSED) {
    sendRstFor(ctx, tcb);
  }
  closeConn(ctx, tcb, s === TcpState.TIME_WAIT ? undefined : 'aborted');
}

/** After takeover: retransmit the oldest unacknowledged segment now, and ACK. */
export function appResume(ctx: Ctx, tcb: Tcb, discardOutOfOrder: boolean): void {
  if (discardOutOfOrder) {
    tcb.ooo.clear();
    if (tcb.rcvFinSeq >= 0 && !tcb.peerFin) tcb.rcvFinSeq = -1;
  }
  if (tcb.state === TcpState.TIME_WAIT || tcb.state === TcpState.CLOSED) return;
  if (tcb.sndUna !== tcb.sndMax) {
    retransmitHead(ctx, tcb);
    armRtx(ctx, tcb);
  } else if (tcb.state !== TcpState.SYN_SENT) {
    sendAck(ctx, tcb);
  }
  transmit(ctx, tcb);
}
