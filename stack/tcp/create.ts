/** Fresh TCBs and resolved configuration/options. */
import { type ConnOptions, type TcpConfig, TcpState } from './api.ts';
import type { ResolvedConfig } from './context.ts';
import { TcpError } from './errors.ts';
import { Reassembly } from './reassembly.ts';
import { SendQueue } from './send-queue.ts';
import type { Tcb } from './tcb.ts';

/** Send buffer per connection unless configured (the daemon configures its own: rpd `tcp`). */
export const DEFAULT_SND_BUF = 262_144;

/** Largest super-segment payload: an IPv4 packet of 64 KiB with the longest headers. */
export const TSO_MAX_PAYLOAD = 65535 - 20 - 60;

export function resolveConfig(c: TcpConfig): ResolvedConfig {
  const r: ResolvedConfig = {
    localAddr: c.localAddr >>> 0,
    mss: c.mss ?? 1460,
    wscale: c.wscale ?? 7,
    timestamps: c.timestamps ?? true,
    sack: c.sack ?? true,
    rtoMinMs: c.rtoMinMs ?? 200,
    rtoMaxMs: c.rtoMaxMs ?? 120000,
    rtoInitialMs: c.rtoInitialMs ?? 1000,
    delayedAckMs: c.delayedAckMs ?? 40,
    msl2Ms: c.msl2Ms ?? 60000,
    finWait2TimeoutMs: c.finWait2TimeoutMs ?? 60000,
    synRetries: c.synRetries ?? 6,
    maxRetries: c.maxRetries ?? 15,
    keepaliveIdleMs: c.keepaliveIdleMs ?? 7200000,
    keepaliveIntervalMs: c.keepaliveIntervalMs ?? 75000,
    keepaliveProbes: c.keepaliveProbes ?? 9,
    rcvBuf: c.rcvBuf ?? 262144,
    sndBuf: c.sndBuf ?? DEFAULT_SND_BUF,
    oooLimit: c.oooLimit ?? c.rcvBuf ?? 262144,
    nagle: c.nagle ?? true,
    userTimeoutMs: c.userTimeoutMs ?? 0,
    initialWindow: c.initialWindow ?? 10,
    tsoMaxBytes: c.tsoMaxBytes ?? 0,
    isnSecret: c.isnSecret.slice(),
  };
  if (r.wscale < 0 || r.wscale > 14)
    throw new TcpError('TCP_BAD_CONFIG', `wscale ${r.wscale} not in 0..14`);
  if (r.mss < 64 || r.mss > 65495)
    throw new TcpError('TCP_BAD_CONFIG', `mss ${r.mss} out of range`);
  if (r.rcvBuf < 1 || r.rcvBuf >= 2 ** 30)
    throw new TcpError('TCP_BAD_CONFIG', 'rcvBuf must be in 1..2^30');
  if (r.rcvBuf > 65535 << r.wscale) {
    throw new TcpError(
      'TCP_BAD_CONFIG',
      `rcvBuf ${r.rcvBuf} exceeds what wscale ${r.wscale} can announce`,
    );
  }
  if (r.tsoMaxBytes !== 0 && (r.tsoMaxBytes < r.mss || r.tsoMaxBytes > TSO_MAX_PAYLOAD)) {
    throw new TcpError(
      'TCP_BAD_CONFIG',
      `tsoMaxBytes ${r.tsoMaxBytes} must be 0 or in mss..${TSO_MAX_PAYLOAD}`,
    );
  }
  if (r.rtoMinMs < 1 || r.rtoMaxMs < r.rtoMinMs)
    throw new TcpError('TCP_BAD_CONFIG', 'bad RTO bounds');
  return r;
}

/** Connection options with every default filled in. */
export interface ResolvedOptions {
  nagle: boolean;
  keepalive: boolean;
  userTimeoutMs: number;
  rcvBuf: number;
  sndBuf: number;
}

export function resolveOptions(cfg: ResolvedConfig, o: ConnOptions | undefined): ResolvedOptions {
  return {
    nagle: o?.nagle ?? cfg.nagle,
    keepalive: o?.keepalive ?? false,
    userTimeoutMs: o?.userTimeoutMs ?? cfg.userTimeoutMs,
    rcvBuf: Math.min(o?.rcvBuf ?? cfg.rcvBuf, 65535 << cfg.wscale),
    sndBuf: o?.sndBuf ?? cfg.sndBuf,
  };
}

export interface NewTcbArgs {
  id: number;
  state: TcpState;
  localPort: number;
  remoteAddr: number;
  remotePort: number;
  listenPort: number;
  iss: number;
  now: number;
  opts: ResolvedOptions;
}

/**
 * Fields that hold 32-bit values: addresses, sequence numbers, timestamps, scaled windows. V8
 * keeps a number field as a small integer until an object of the same shape stores a value past
 * 2^30; then the shape changes and every optimised function that reads a TCB is thrown away. On
 * a fresh daemon each of these fields met its first large value at a different moment, dozens
 * of deoptimisations spread over the first gigabytes. The first TCB made takes the largest value
 * in each at once, before anything is optimised.
 */
const WIDE_FIELDS = [
  'localAddr',
  'remoteAddr',
  'iss',
  'sndUna',
  'sndNxt',
  'sndMax',
  'sndWnd',
  'maxSndWnd',
  'sndWl1',
  'sndWl2',
  'irs',
  'rcvNxt',
  'rcvAdv',
  'rcvFinSeq',
  'tsOffset',
  'tsRecent',
  'lastAckSent',
  'rttSeq',
  'recover',
] as const satisfies readonly (keyof Tcb)[];
let shapeWidened = false;

function widenShape(cfg: ResolvedConfig, a: NewTcbArgs): void {
  shapeWidened = true;
  const t = createTcb(cfg, a);
  for (const k of WIDE_FIELDS) t[k] = 0xffffffff;
}

export function createTcb(cfg: ResolvedConfig, a: NewTcbArgs): Tcb {
  if (!shapeWidened) widenShape(cfg, a);
  const iss = a.iss >>> 0;
  return {
    id: a.id,
    state: a.state,
    localAddr: cfg.localAddr,
    localPort: a.localPort,
    remoteAddr: a.remoteAddr >>> 0,
    remotePort: a.remotePort,
    listenPort: a.listenPort,
    passive: a.state === TcpState.SYN_RECEIVED,
    iss,
    sndUna: iss,
    sndNxt: iss,
    sndMax: iss,
    sndWnd: 0,
    maxSndWnd: 0,
    sndWl1: 0,
    sndWl2: iss,
    sndWscale: 0,
    rcvWscale: cfg.wscale,
    mss: Math.min(536, cfg.mss),
    irs: 0,
    rcvNxt: 0,
    rcvAdv: 0,
    rcvBuf: a.opts.rcvBuf,
    rcvUnconsumed: 0,
    rcvFinSeq: -1,
    wsOk: false,
    tsOk: false,
    sackOk: false,
    tsOffset: (iss ^ 0x5bd1e995) >>> 0,
    tsRecent: 0,
    lastAckSent: 0,
    srtt8: 0,
    rttvar4: 0,
    rto: cfg.rtoInitialMs,
    rttSeq: -1,
    rttTime: 0,
    rtxCount: 0,
    rtxStart: a.now,
    cwnd: cfg.initialWindow * Math.min(536, cfg.mss),
    ssthresh: 0x3fffffff,
    bytesAcked: 0,
    dupAcks: 0,
    inRecovery: false,
    recover: iss,
    rtxDeadline: -1,
    persistDeadline: -1,
    persistBackoff: 0,
    ackDeadline: -1,
    keepaliveDeadline: -1,
    keepaliveProbes: 0,
    timeWaitDeadline: -1,
    lastRecvTime: a.now,
    lastOowAckTime: -1,
    unackedBytes: 0,
    ackNow: false,
    nagle: a.opts.nagle,
    keepalive: a.opts.keepalive,
    userTimeoutMs: a.opts.userTimeoutMs,
    sndBuf: a.opts.sndBuf,
    finQueued: false,
    appClosed: false,
    peerFin: false,
    drainArmed: false,
    sacked: [],
    sendQueue: new SendQueue(),
    ooo: new Reassembly(cfg.oooLimit),
  };
}

/** A TCB with every field present (for snapshot restore: keeps one object shape). */
export function blankTcb(): Tcb {
  const opts = { nagle: true, keepalive: false, userTimeoutMs: 0, rcvBuf: 1, sndBuf: 1 };
  const cfg = resolveConfig({ localAddr: 0, isnSecret: new Uint8Array(0), rcvBuf: 1 });
  return createTcb(cfg, {
    id: 0,
    state: TcpState.CLOSED,
    localPort: 0,
    remoteAddr: 0,
    remotePort: 0,
    listenPort: -1,
    iss: 0,
    now: 0,
    opts,
  });
}
