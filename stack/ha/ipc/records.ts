/**
 * The records exchanged between the two boards, as TypeScript values. `record-codec.ts` turns
 * them into frame payloads and back. Every record that can change who is master carries the
 * sender's epoch, so a board that was cut off learns at once that it lost mastership.
 */
import type { TcbDigest, TcpInput } from '../../tcp/api.ts';

export const ROLES = ['booting', 'active', 'standby'] as const;
export type Role = (typeof ROLES)[number];

/** Sync state of the standby (as the standby knows it, or as the active last heard it). */
export const SYNC_STATES = ['cold', 'syncing', 'hot', 'disconnected'] as const;
export type SyncState = (typeof SYNC_STATES)[number];

/** Sent on both paths (IPC and front LAN) every interval. */
export interface Heartbeat {
  slot: number;
  role: Role;
  epoch: number;
  sync: SyncState;
  /** Sender's heartbeat counter (+1 per heartbeat and path). */
  counter: number;
  /** Sender's clock (ms) when sent: lets the standby keep the clock offset to the active. */
  sentAt: number;
  /**
   * The sender's front link has no carrier (its cable is out): an active whose own front is
   * fine hands over to it only if not. Absent in heartbeats of senders that do not tell.
   */
  frontDown?: boolean;
}

/** First record on every (re)connected IPC session, from both sides. */
export interface Hello {
  slot: number;
  role: Role;
  epoch: number;
  sync: SyncState;
  /** Highest log index the sender has applied (standby) or appended (active). */
  lastIndex: number;
  /** Standby asks for a bulk sync (it is cold or lost records while disconnected). */
  wantBulkSync: boolean;
}

/** Input kinds of the TCP engine; a TCP record says which one it replays. */
export const TCP_EVENT_KINDS = [
  'segment',
  'listen',
  'unlisten',
  'connect',
  'send',
  'consume',
  'setopt',
  'shutdown',
  'close',
  'abort',
  'timer',
  'resume',
] as const satisfies readonly TcpInput['kind'][];
export type TcpEventKind = (typeof TCP_EVENT_KINDS)[number];

/** Header fields of the segment a `segment` event carried (no stream bytes). */
export interface SegmentHeader {
  seq: number;
  ack: number;
  flags: number;
  window: number;
  /** Payload length in bytes. */
  length: number;
}

/** Connection variables after the event: the engine's digest (SND.UNA .. timer deadlines). */
export type TcpVars = TcbDigest;

/** One input to one SSO connection and the variables it produced. */
export interface TcpRecord {
  kind: 'tcp';
  conn: number;
  event: TcpEventKind;
  /** Active's clock (ms) of the input. */
  at: number;
  header?: SegmentHeader;
  vars: TcpVars;
  /** Engine-specific rest of the input (options, call arguments); opaque to HA. */
  detail: Uint8Array;
}

/** Stream bytes seen by the socket layer: delivered to the app, or written by it. */
export interface SocketDataRecord {
  kind: 'socket-data';
  conn: number;
  direction: 'delivered' | 'written';
  /** Stream offset of the first byte. */
  offset: number;
  bytes: Uint8Array;
}

/**
 * Stream bytes delivered to the app and consumed by it before their record left: only their
 * place in the stream goes to the standby (they never need to be delivered again). It stands
 * for the app's `consume` of them too: replayed right after the segment record that commits it.
 */
export interface ConsumedRecord {
  kind: 'consumed';
  conn: number;
  /** Stream offset of the first byte. */
  offset: number;
  length: number;
  /** Time of the app's consume (the engine input's `now`). */
  at: number;
}

/** A whole control block (new connection once established, bulk sync, resync). */
export interface SnapshotRecord {
  kind: 'snapshot';
  conn: number;
  at: number;
  /** `engine.snapshotConnection(conn)` bytes. */
  snapshot: Uint8Array;
}

export const CLOSE_REASONS = ['orderly', 'reset', 'timed-out', 'refused', 'aborted'] as const;
export interface ClosedRecord {
  kind: 'closed';
  conn: number;
  at: number;
  reason: (typeof CLOSE_REASONS)[number];
}

/** State an application keeps of its own (e.g. BGP); opaque to HA. */
export interface AppRecord {
  kind: 'app';
  conn: number;
  data: Uint8Array;
}

export type LogEntry =
  | TcpRecord
  | SocketDataRecord
  | ConsumedRecord
  | SnapshotRecord
  | ClosedRecord
  | AppRecord;
export type LogEntryKind = LogEntry['kind'];

export const SWITCHOVER_PHASES = ['prepare', 'commit', 'refuse', 'done'] as const;
export type SwitchoverPhase = (typeof SWITCHOVER_PHASES)[number];

export type IpcRecord =
  | ({ type: 'heartbeat' } & Heartbeat)
  | ({ type: 'hello' } & Hello)
  | { type: 'log'; index: number; epoch: number; entry: LogEntry }
  /** Cumulative: every log record up to `index` is applied on the standby. */
  | { type: 'confirm'; epoch: number; index: number }
  /** Snapshots follow as log records from `baseIndex + 1`. */
  | { type: 'bulk-begin'; epoch: number; baseIndex: number; connections: number }
  | { type: 'bulk-end'; epoch: number; lastIndex: number }
  /** Planned switchover handshake; `commit` hands mastership over at `epoch`. */
  | { type: 'switchover'; epoch: number; phase: SwitchoverPhase; lastIndex: number; reason: string }
  /** Standby asks for one connection's snapshot (`conn`) or a whole bulk sync (`conn` null). */
  | { type: 'resync-request'; epoch: number; conn: number | null; reason: string };

export type IpcRecordType = IpcRecord['type'];
