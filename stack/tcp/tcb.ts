/**
 * The transmission control block: one connection's plain-data state, named after RFC 9293.
 * Everything here is integers, booleans, a send queue and the out-of-order store, so a TCB
 * serialises to bytes and back exactly.
 */
import { type Addr, type ConnId, type SnapshotOptions, type TcbDigest, TcpState } from './api.ts';
import { ByteReader, ByteWriter } from './bytes.ts';
import { blankTcb } from './create.ts';
import { TcpError } from './errors.ts';
import type { Reassembly } from './reassembly.ts';
import type { SendQueue } from './send-queue.ts';

export interface Tcb {
  id: ConnId;
  state: TcpState;
  localAddr: Addr;
  localPort: number;
  remoteAddr: Addr;
  remotePort: number;
  /** Listening port for passive opens, else -1. */
  listenPort: number;
  /** Passive child not yet handed to the app (no events for it until established). */
  passive: boolean;

  // Send sequence space.
  iss: number;
  sndUna: number;
  sndNxt: number;
  /** Highest sequence number sent so far (SND.NXT before a go-back retransmission). */
  sndMax: number;
  sndWnd: number;
  maxSndWnd: number;
  sndWl1: number;
  sndWl2: number;
  /** Shift applied to the peer's window field (0 when scaling is off). */
  sndWscale: number;
  /** Shift applied to our window field. */
  rcvWscale: number;
  /** Send MSS (payload bytes per segment, TCP options already deducted). */
  mss: number;

  // Receive sequence space.
  irs: number;
  rcvNxt: number;
  /** Right edge we last advertised (never moves left). */
  rcvAdv: number;
  rcvBuf: number;
  /** Bytes handed to the app and not yet consumed. */
  rcvUnconsumed: number;
  /** Sequence number of the peer's FIN when seen ahead of rcvNxt, else -1. */
  rcvFinSeq: number;

  // Options.
  wsOk: boolean;
  tsOk: boolean;
  sackOk: boolean;
  /** TSval = now + tsOffset (mod 2^32). */
  tsOffset: number;
  tsRecent: number;
  /** RCV.NXT carried by our last ACK (RFC 7323 TS.Recent update rule). */
  lastAckSent: number;

  // Round-trip time (RFC 6298), in ms; srtt8 = 8*SRTT, rttvar4 = 4*RTTVAR, 0 = no sample yet.
  srtt8: number;
  rttvar4: number;
  rto: number;
  /** Sequence being timed without timestamps (Karn), or -1. */
  rttSeq: number;
  rttTime: number;
  /** Retransmissions of the segment at SND.UNA so far (backoff exponent). */
  rtxCount: number;
  /** When the oldest unacknowledged data was (re)armed: base for the user timeout. */
  rtxStart: number;

  // Congestion control (NewReno).
  cwnd: number;
  ssthresh: number;
  bytesAcked: number;
  dupAcks: number;
  inRecovery: boolean;
  recover: number;

  // Timers: absolute deadlines in ms, -1 = not armed.
  rtxDeadline: number;
  persistDeadline: number;
  persistBackoff: number;
  ackDeadline: number;
  keepaliveDeadline: number;
  keepaliveProbes: number;
  timeWaitDeadline: number;
  lastRecvTime: number;

  /** When we last answered an unacceptable pure ACK (rate limit against ACK wars), or -1. */
  lastOowAckTime: number;

  // Receiver ACK bookkeeping.
  /** In-order bytes received since our last ACK. */
  unackedBytes: number;
  ackNow: boolean;

  // Application-side flags and options.
  nagle: boolean;
  keepalive: boolean;
  userTimeoutMs: number;
  sndBuf: number;
  /** The app asked for FIN (shutdown or close). */
  finQueued: boolean;
  /** The app closed: it reads no more. */
  appClosed: boolean;
  /** Peer's FIN has been delivered as EOF. */
  peerFin: boolean;
  /** A drain event is owed once the queue falls to half of sndBuf. */
  drainArmed: boolean;

  /** Sender SACK scoreboard: sorted [left, right) pairs above SND.UNA, flattened. */
  sacked: number[];
  sendQueue: SendQueue;
  ooo: Reassembly;
}

/** Sequence number of our FIN (valid when finQueued). */
export function finSeq(tcb: Tcb): number {
  return (queueBase(tcb) + tcb.sendQueue.length) >>> 0;
}

/** First data byte's sequence number for SendQueue offset 0. */
export function queueBase(tcb: Tcb): number {
  return tcb.state === TcpState.SYN_SENT || tcb.state === TcpState.SYN_RECEIVED
    ? (tcb.iss + 1) >>> 0
    : tcb.sndUna;
}

export function rcvWnd(tcb: Tcb): number {
  return (tcb.rcvAdv - tcb.rcvNxt) | 0;
}

export function digestOf(tcb: Tcb): TcbDigest {
  return {
    state: tcb.state,
    sndUna: tcb.sndUna,
    sndNxt: tcb.sndNxt,
    sndWnd: tcb.sndWnd,
    rcvNxt: tcb.rcvNxt,
    rcvWnd: Math.max(0, rcvWnd(tcb)),
    cwnd: tcb.cwnd,
    ssthresh: tcb.ssthresh,
    rto: tcb.rto,
    rtxDeadline: tcb.rtxDeadline,
    persistDeadline: tcb.persistDeadline,
    ackDeadline: tcb.ackDeadline,
    keepaliveDeadline: tcb.keepaliveDeadline,
    timeWaitDeadline: tcb.timeWaitDeadline,
  };
}

/** Earliest armed deadline of this connection, or -1. */
export function tcbDeadline(tcb: Tcb): number {
  let d = -1;
  for (const t of [
    tcb.rtxDeadline,
    tcb.persistDeadline,
    tcb.ackDeadline,
    tcb.keepaliveDeadline,
    tcb.timeWaitDeadline,
  ]) {
    if (t >= 0 && (d < 0 || t < d)) d = t;
  }
  return d;
}

// Field order for serialisation: every numeric field, then booleans, then buffers.
const INT_FIELDS = [
  'id',
  'state',
  'localAddr',
  'localPort',
  'remoteAddr',
  'remotePort',
  'listenPort',
  'iss',
  'sndUna',
  'sndNxt',
  'sndMax',
  'sndWnd',
  'maxSndWnd',
  'sndWl1',
  'sndWl2',
  'sndWscale',
  'rcvWscale',
  'mss',
  'irs',
  'rcvNxt',
  'rcvAdv',
  'rcvBuf',
  'rcvUnconsumed',
  'rcvFinSeq',
  'tsOffset',
  'tsRecent',
  'lastAckSent',
  'srtt8',
  'rttvar4',
  'rto',
  'rttSeq',
  'rttTime',
  'rtxCount',
  'rtxStart',
  'cwnd',
  'ssthresh',
  'bytesAcked',
  'dupAcks',
  'recover',
  'rtxDeadline',
  'persistDeadline',
  'persistBackoff',
  'ackDeadline',
  'keepaliveDeadline',
  'keepaliveProbes',
  'timeWaitDeadline',
  'lastRecvTime',
  'unackedBytes',
  'userTimeoutMs',
  'sndBuf',
  'lastOowAckTime',
] as const satisfies readonly (keyof Tcb)[];
const BOOL_FIELDS = [
  'passive',
  'wsOk',
  'tsOk',
  'sackOk',
  'inRecovery',
  'ackNow',
  'nagle',
  'keepalive',
  'finQueued',
  'appClosed',
  'peerFin',
  'drainArmed',
] as const satisfies readonly (keyof Tcb)[];

const TCB_MAGIC = 0x54434232; // "TCB2"

/** How a snapshot carries the send queue: its bytes, or only its length (zeros on restore). */
const QUEUE_BYTES = 0;
const QUEUE_LENGTH = 1;

export function writeTcb(w: ByteWriter, tcb: Tcb, opts: SnapshotOptions = {}): void {
  w.u32(TCB_MAGIC);
  for (const f of INT_FIELDS) w.int(tcb[f]);
  for (const f of BOOL_FIELDS) w.bool(tcb[f]);
  w.u32(tcb.sacked.length);
  for (const v of tcb.sacked) w.u32(v);
  if (opts.sendQueueAsLength === true) {
    w.u32(QUEUE_LENGTH);
    w.u32(tcb.sendQueue.length);
  } else {
    w.u32(QUEUE_BYTES);
    w.bytes(tcb.sendQueue.contents());
  }
  w.int(tcb.ooo.limit);
  w.int(tcb.ooo.lastSeq);
  w.u32(tcb.ooo.ranges.length);
  for (const r of tcb.ooo.ranges) {
    w.u32(r.seq);
    w.bytes(r.data);
  }
}

export function readTcb(r: ByteReader): Tcb {
  if (r.u32() !== TCB_MAGIC) throw new TcpError('TCP_BAD_SNAPSHOT', 'not a TCB snapshot');
  const t = blankTcb();
  const tcb = t as unknown as Record<string, unknown>;
  for (const f of INT_FIELDS) tcb[f] = r.int();
  for (const f of BOOL_FIELDS) tcb[f] = r.bool();
  const ns = r.u32();
  if (ns % 2 !== 0 || ns > 64)
    throw new TcpError('TCP_BAD_SNAPSHOT', `bad SACK scoreboard size ${ns}`);
  const sacked: number[] = [];
  for (let i = 0; i < ns; i++) sacked.push(r.u32());
  tcb.sacked = sacked;
  const form = r.u32();
  if (form === QUEUE_BYTES) t.sendQueue.push(r.bytes());
  else if (form === QUEUE_LENGTH) t.sendQueue.pushStandIn(r.u32());
  else throw new TcpError('TCP_BAD_SNAPSHOT', `bad send queue form ${form}`);
  const ooo = t.ooo;
  ooo.limit = r.int();
  ooo.lastSeq = r.int();
  const n = r.u32();
  for (let i = 0; i < n; i++) {
    const seq = r.u32();
    const data = r.bytes();
    ooo.ranges.push({ seq, data });
    ooo.bytes += data.length;
  }
  if (t.state < TcpState.CLOSED || t.state > TcpState.TIME_WAIT) {
    throw new TcpError('TCP_BAD_SNAPSHOT', `bad TCB state ${t.state}`);
  }
  return t;
}

export function serializeTcb(tcb: Tcb, opts: SnapshotOptions = {}): Uint8Array {
  const w = new ByteWriter();
  writeTcb(w, tcb, opts);
  return w.finish();
}

export function restoreTcb(bytes: Uint8Array): Tcb {
  return readTcb(new ByteReader(bytes));
}
