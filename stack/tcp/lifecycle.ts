/** State changes and the end of a connection, with the outputs the socket layer expects. */
import { type TcpErrorKind, type TcpEventKind, TcpState } from './api.ts';
import type { Ctx } from './context.ts';
import type { Tcb } from './tcb.ts';

export function setState(ctx: Ctx, tcb: Tcb, to: TcpState): void {
  if (tcb.state === to) return;
  ctx.out.push({ kind: 'state', conn: tcb.id, from: tcb.state, to });
  tcb.state = to;
}

export function event(ctx: Ctx, tcb: Tcb, ev: TcpEventKind): void {
  ctx.out.push({ kind: 'event', conn: tcb.id, event: ev });
}

/** The connection ends; passive children the app never saw end silently. */
export function closeConn(ctx: Ctx, tcb: Tcb, error?: TcpErrorKind): void {
  const silent = tcb.passive && tcb.state === TcpState.SYN_RECEIVED;
  setState(ctx, tcb, TcpState.CLOSED);
  for (const k of [
    'rtxDeadline',
    'persistDeadline',
    'ackDeadline',
    'keepaliveDeadline',
    'timeWaitDeadline',
  ] as const) {
    tcb[k] = -1;
  }
  if (!silent) {
    if (error) ctx.out.push({ kind: 'event', conn: tcb.id, event: 'closed', error });
    else event(ctx, tcb, 'closed');
  }
  ctx.remove(tcb);
}

export function enterTimeWait(ctx: Ctx, tcb: Tcb): void {
  setState(ctx, tcb, TcpState.TIME_WAIT);
  tcb.rtxDeadline = -1;
  tcb.persistDeadline = -1;
  tcb.keepaliveDeadline = -1;
  tcb.timeWaitDeadline = ctx.now + ctx.cfg.msl2Ms;
}
