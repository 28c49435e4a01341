/**
 * Inputs, actions and status of the HA role state machine (`HaNode`). The daemon feeds inputs
 * (with `now`) and carries out the actions; the machine does no I/O and reads no clock.
 */
import type { HeartbeatPath } from '../heartbeat/detector.ts';
import type { HaLogEvent } from '../ipc/log-sink.ts';
import type { Heartbeat, Hello, Role, SwitchoverPhase, SyncState } from '../ipc/records.ts';

export interface HaNodeConfig {
  slot: number;
  intervalMs: number;
  misses: number;
  /** How long a booting board listens for its mate. Default 2 x detection time + 1 interval. */
  bootListenMs?: number;
  /** After IPC loss, how long the active still waits for confirmations. Default 5 x detection time. */
  alarmTimeoutMs?: number;
  /** Planned switchover: longest drain and hand-over wait. Default 1000 ms. */
  switchoverTimeoutMs?: number;
  /**
   * A heartbeat thread decides the mate's liveness (inputs `path-silent`, `heartbeat-hole`);
   * else silence is a timeout on this machine's inputs (simulations, in-memory tests).
   */
  reportedLiveness?: boolean;
}

export type HaInput =
  | { kind: 'tick'; now: number }
  /** `at`: when it arrived, if earlier than `now` (a heartbeat thread heard it). */
  | { kind: 'heartbeat'; path: HeartbeatPath; hb: Heartbeat; now: number; at?: number }
  /** The heartbeat thread found a path silent. */
  | { kind: 'path-silent'; path: HeartbeatPath; lastHeard: number | undefined; now: number }
  /** This board's own heartbeats stopped long enough for the mate to find it dead. */
  | { kind: 'heartbeat-hole'; holeMs: number; now: number }
  | { kind: 'hello'; hello: Hello; now: number }
  | { kind: 'ipc-up'; now: number }
  /** The daemon read its front link's carrier (sent when it changes). */
  | { kind: 'front-link'; up: boolean; now: number }
  /** `byMate`: the mate's side closed the stream (FIN or RST), not this board nor a timeout. */
  | { kind: 'ipc-down'; now: number; byMate?: boolean }
  /** Standby: a bulk-begin arrived. */
  | { kind: 'bulk-sync-begun'; now: number }
  /** Standby: bulk-end applied. Active: the standby confirmed up to bulk-end. */
  | { kind: 'bulk-sync-done'; now: number }
  /** Standby: the log cannot continue (gap, refused record): back to cold, ask for bulk sync. */
  | { kind: 'resync-needed'; reason: string; now: number }
  /** Operator asks for a planned switchover (on either board). */
  | { kind: 'switchover-request'; now: number }
  /** Active, during a planned switchover: every appended record is confirmed. */
  | { kind: 'log-drained'; now: number }
  /**
   * A switchover record from the mate. `upToDate` (standby, on commit): every record up to the
   * commit's lastIndex is applied.
   */
  | { kind: 'switchover'; phase: SwitchoverPhase; epoch: number; upToDate?: boolean; now: number };

export type BecomeActiveReason = 'election' | 'takeover' | 'switchover' | 'switchover-aborted';
export type BecomeStandbyReason = 'election' | 'stepped-down' | 'switchover';

export type HaAction =
  /** Claim the chassis address (gratuitous ARP), rebase timers, resume every connection. */
  | { kind: 'become-active'; epoch: number; reason: BecomeActiveReason }
  /** 'stepped-down': drop engine state (it diverged) and bulk-sync; 'switchover': keep it. */
  | { kind: 'become-standby'; epoch: number; reason: BecomeStandbyReason }
  /** Whether this board may transmit for the chassis address on the front. */
  | { kind: 'front'; transmit: boolean; reason: string }
  /** Send a hello on the IPC link (the daemon adds its last log index). */
  | { kind: 'send-hello'; wantBulkSync: boolean }
  | { kind: 'send-switchover'; phase: SwitchoverPhase; epoch: number; reason: string }
  /** Active: send every SSO connection's control block (bulk-begin .. snapshots .. bulk-end). */
  | { kind: 'start-bulk-sync' }
  /** Drop and reopen the IPC connection (its heartbeats stopped). */
  | { kind: 'ipc-reset'; reason: string }
  | { kind: 'alarm'; raised: boolean; reason: string }
  /** Whether the output-commit gate holds outputs for confirmations. */
  | { kind: 'commit-wait'; wait: boolean; reason: string }
  /** Planned switchover: stop/restart feeding inputs to the engine. */
  | { kind: 'pause-inputs'; paused: boolean }
  /** A stale active is still heard: claim the address again. */
  | { kind: 'reassert' }
  | { kind: 'log'; event: HaLogEvent };

export interface HaStatus {
  slot: number;
  role: Role;
  /** Own sync state (standby), or the mate's as last heard (active). */
  sync: SyncState;
  epoch: number;
  front: boolean;
  /** Carrier of this board's front link (its cable), as the daemon reads it. */
  frontLink: 'up' | 'down';
  commitWait: boolean;
  alarm: string | null;
  mate: {
    ipc: boolean;
    lan: boolean;
    role: Role | null;
    epoch: number | null;
    /** The mate's front link as its heartbeats tell (null: not told). */
    frontLink: 'up' | 'down' | null;
  };
  lastSwitchover: { at: number; reason: BecomeActiveReason } | null;
  switchoverInProgress: boolean;
  /** Planned switchovers this board led as active: started, done, aborted (and why). */
  switchovers: { started: number; done: number; aborted: number; lastAbort: string | null };
}
