/** What a handler needs besides the TCB: resolved config, the input's time, the output list. */
import type { TcpOutput } from './api.ts';
import type { Tcb } from './tcb.ts';

export interface ResolvedConfig {
  localAddr: number;
  mss: number;
  wscale: number;
  timestamps: boolean;
  sack: boolean;
  rtoMinMs: number;
  rtoMaxMs: number;
  rtoInitialMs: number;
  delayedAckMs: number;
  msl2Ms: number;
  finWait2TimeoutMs: number;
  synRetries: number;
  maxRetries: number;
  keepaliveIdleMs: number;
  keepaliveIntervalMs: number;
  keepaliveProbes: number;
  rcvBuf: number;
  sndBuf: number;
  oooLimit: number;
  nagle: boolean;
  userTimeoutMs: number;
  initialWindow: number;
  /** Largest super-segment payload (TSO); 0 = every segment at most one MSS. */
  tsoMaxBytes: number;
  isnSecret: Uint8Array;
}

export interface Ctx {
  cfg: ResolvedConfig;
  now: number;
  out: TcpOutput[];
  /** Turn a due pure ACK into a delayed-ACK deadline at `now` (receive batches). */
  deferAck: boolean;
  /**
   * Whether data outputs carry the queued bytes; false: a zero-filled stand-in of the same
   * length (a standby replaying only needs the state, and drops the outputs).
   */
  payloads: boolean;
  /** Drop the connection from the engine's tables (after its final outputs). */
  remove(tcb: Tcb): void;
}
