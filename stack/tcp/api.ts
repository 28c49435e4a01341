/**
 * Public types of the deterministic TCP engine (stack/tcp/engine.ts).
 *
 * The engine is a pure state machine: `engine.handle(input)` returns the outputs that input
 * produced. Every input carries `now` (integer milliseconds); the engine reads no clock, draws
 * no random number and does no I/O. Addresses are IPv4 as unsigned 32-bit integers.
 */
import type { TcpSegment } from '../wire/tcp-types.ts';

export type { TcpSegment };

/** IPv4 address as an unsigned 32-bit integer. */
export type Addr = number;
/** Connection handle, unique within one engine; kept across snapshot/restore. */
export type ConnId = number;

/** RFC 9293 states. */
export const TcpState = {
  CLOSED: 0,
  LISTEN: 1,
  SYN_SENT: 2,
  SYN_RECEIVED: 3,
  ESTABLISHED: 4,
  FIN_WAIT_1: 5,
  FIN_WAIT_2: 6,
  CLOSE_WAIT: 7,
  CLOSING: 8,
  LAST_ACK: 9,
  TIME_WAIT: 10,
} as const;
export type TcpState = (typeof TcpState)[keyof typeof TcpState];
export const TCP_STATE_NAMES = [
  'CLOSED',
  'LISTEN',
  'SYN-SENT',
  'SYN-RECEIVED',
  'ESTABLISHED',
  'FIN-WAIT-1',
  'FIN-WAIT-2',
  'CLOSE-WAIT',
  'CLOSING',
  'LAST-ACK',
  'TIME-WAIT',
] as const;

/** Per-connection options (listen opts are inherited by accepted connections). */
export interface ConnOptions {
  /** Nagle's algorithm; default from engine config (true). */
  nagle?: boolean;
  /** Keepalive probes; default false. */
  keepalive?: boolean;
  /** RFC 9293 user timeout in ms (abort when data stays unacknowledged this long); 0 = off. */
  userTimeoutMs?: number;
  /** Receive buffer (bytes): bounds the advertised window. */
  rcvBuf?: number;
  /** Send buffer limit (bytes): `drain` fires when the queue falls below half of it. */
  sndBuf?: number;
}

export interface TcpConfig {
  /** Local IPv4 address (segments to other addresses get no reply). */
  localAddr: Addr;
  /** Our MSS as announced (MTU - 40). Default 1460. */
  mss?: number;
  /** Our window-scale shift (0..14). Default 7. */
  wscale?: number;
  /** Offer/accept RFC 7323 timestamps. Default true. */
  timestamps?: boolean;
  /** Offer/accept SACK-permitted; we generate SACK blocks as receiver and use them as sender. Default true. */
  sack?: boolean;
  rtoMinMs?: number; // default 200
  rtoMaxMs?: number; // default 120000
  rtoInitialMs?: number; // default 1000
  delayedAckMs?: number; // default 40; 0 = ACK every segment at once
  msl2Ms?: number; // TIME-WAIT duration, default 60000
  finWait2TimeoutMs?: number; // orphaned FIN-WAIT-2 timeout, default 60000
  synRetries?: number; // default 6
  maxRetries?: number; // data retransmissions before timing out, default 15
  keepaliveIdleMs?: number; // default 7200000
  keepaliveIntervalMs?: number; // default 75000
  keepaliveProbes?: number; // default 9
  rcvBuf?: number; // default 262144
  sndBuf?: number; // default 262144
  /** Bytes of out-of-order data kept per connection (beyond that, segments are dropped). */
  oooLimit?: number; // default = rcvBuf
  nagle?: boolean; // default true
  userTimeoutMs?: number; // default 0 (off)
  /** Initial congestion window in segments (RFC 6928). Default 10. */
  initialWindow?: number;
  /**
   * TCP segmentation offload: when > 0, a run of full-sized segments that would
   * go out back to back is emitted as one super-segment of up to this many
   * payload bytes, with `segment.gsoSize` = the MSS used, for a link that cuts
   * it (a TAP with a virtio-net header). The series it stands for is exactly
   * what the engine sends with 0; retransmissions stay one MSS. Default 0 (off).
   * It changes the outputs: an HA pair must use the same value on both boards.
   */
  tsoMaxBytes?: number;
  /** RFC 6528 ISN secret (16 bytes recommended). Part of the replicated state. */
  isnSecret: Uint8Array;
}

export type TcpInput =
  | {
      kind: 'segment';
      now: number;
      src: Addr;
      dst: Addr;
      segment: TcpSegment;
      /**
       * More segments of the same receive batch follow: instead of sending the pure ACK this
       * segment calls for, arm the delayed-ACK timer at `now`; one timer input after the batch
       * then sends one ACK per connection (as GRO gives Linux). HA must replicate this flag.
       */
      defer?: boolean;
    }
  | { kind: 'listen'; now: number; port: number; backlog: number; opts?: ConnOptions }
  | { kind: 'unlisten'; now: number; port: number }
  | {
      kind: 'connect';
      now: number;
      /** Chosen by the caller (e.g. to keep ids equal across boards); default: next free id. */
      connId?: ConnId;
      localPort: number;
      remoteAddr: Addr;
      remotePort: number;
      /** Initial send sequence number; default: RFC 6528 hash of the 4-tuple, `now` and the secret. */
      isn?: number;
      opts?: ConnOptions;
    }
  | { kind: 'send'; now: number; conn: ConnId; bytes: Uint8Array }
  /** The application read n bytes: frees receive buffer, may open the window. */
  | { kind: 'consume'; now: number; conn: ConnId; n: number }
  | { kind: 'setopt'; now: number; conn: ConnId; opts: ConnOptions }
  /** Half-close: FIN after the queued data; reading continues. */
  | { kind: 'shutdown'; now: number; conn: ConnId }
  /** Full close: FIN after queued data; data arriving afterwards gets an RST (RFC 9293 3.10.4). */
  | { kind: 'close'; now: number; conn: ConnId }
  | { kind: 'abort'; now: number; conn: ConnId }
  /** Fire due timers: of every connection, or only of `conn` (per-connection replay). */
  | { kind: 'timer'; now: number; conn?: ConnId }
  /**
   * After takeover: retransmit from SND.UNA at once and send an ACK (all connections or one).
   * `discardOutOfOrder` drops held out-of-order data (e.g. when the standby replayed segments
   * without their bytes); the peer retransmits it.
   */
  | { kind: 'resume'; now: number; conn?: ConnId; discardOutOfOrder?: boolean };

export type TcpEventKind =
  /** Active open completed. */
  | 'established'
  /** Passive open completed; `port` is the listening port. */
  | 'accepted'
  /** Peer sent FIN: no more data will arrive (EOF). */
  | 'peer-fin'
  /** The connection no longer exists in the engine (id is free); `error` tells why, if abnormal. */
  | 'closed'
  /** Send queue fell to/below half of sndBuf after having reached sndBuf. */
  | 'drain';

export type TcpErrorKind = 'reset' | 'timed-out' | 'refused' | 'aborted';

export type TcpOutput =
  | { kind: 'segment'; conn: ConnId | -1; src: Addr; dst: Addr; segment: TcpSegment }
  | { kind: 'data'; conn: ConnId; bytes: Uint8Array }
  | {
      kind: 'event';
      conn: ConnId;
      event: TcpEventKind;
      /** for 'accepted': the listening port and the peer. */
      port?: number;
      remoteAddr?: Addr;
      remotePort?: number;
      /** for 'closed': why, when not an orderly close. */
      error?: TcpErrorKind;
    }
  | { kind: 'state'; conn: ConnId; from: TcpState; to: TcpState };

/** Variables HA compares between the boards (all integers). */
export interface TcbDigest {
  state: TcpState;
  sndUna: number;
  sndNxt: number;
  sndWnd: number;
  rcvNxt: number;
  rcvWnd: number;
  cwnd: number;
  ssthresh: number;
  rto: number;
  /** Absolute deadlines in ms, -1 when not armed. */
  rtxDeadline: number;
  persistDeadline: number;
  ackDeadline: number;
  keepaliveDeadline: number;
  timeWaitDeadline: number;
}

/** Read-only facts about a connection for the socket layer. */
export interface ConnInfo {
  id: ConnId;
  state: TcpState;
  localAddr: Addr;
  localPort: number;
  remoteAddr: Addr;
  remotePort: number;
  /** Bytes queued for sending (unsent + unacknowledged). */
  sendQueued: number;
  /** Bytes delivered to the app and not yet consumed. */
  rcvUnconsumed: number;
  /** Listening port this connection was accepted from, or -1. */
  listenPort: number;
}

/** Engine surface (implemented by `TcpEngine` in engine.ts). */
export interface SnapshotOptions {
  /**
   * Carry the send queue's length, not its bytes: the restored queue holds zero stand-ins of
   * that length, for a caller that can write the real bytes in later (`rewriteSendQueue`).
   */
  sendQueueAsLength?: boolean;
}

export interface TcpEngineApi {
  handle(input: TcpInput): TcpOutput[];
  /** Earliest armed timer deadline (ms) of any connection, or -1. May be early, never late. */
  nextDeadline(): number;
  /** Connections with a timer due at `now`, ascending id; the timer index is not changed. */
  dueConnections(now: number): ConnId[];
  /**
   * Same, but removes them from the timer index: the caller must then feed
   * `{ kind: 'timer', now, conn }` for each (per-connection timer records for HA).
   */
  takeDueConnections(now: number): ConnId[];
  /** Connection that would receive this segment (exact 4-tuple), if any. */
  lookup(localPort: number, remoteAddr: Addr, remotePort: number): ConnId | undefined;
  info(conn: ConnId): ConnInfo | undefined;
  connections(): ConnId[];
  digest(conn: ConnId): TcbDigest | undefined;
  /** One connection, including send/receive buffer contents and offsets. */
  snapshotConnection(conn: ConnId, opts?: SnapshotOptions): Uint8Array;
  /** Install a snapshot (same id); replaces an existing connection with that id. */
  restoreConnection(bytes: Uint8Array): ConnId;
  removeConnection(conn: ConnId): void;
  /** Whole engine (config, listeners, connections, counters). */
  serialize(): Uint8Array;
  /** Shift every absolute time by deltaMs (new clock = old clock + deltaMs). TSval stays continuous. */
  rebase(deltaMs: number, conn?: ConnId): void;
}
