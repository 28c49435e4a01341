/**
 * Wires the HA parts for the daemon: the role machine, the replication log and output gate
 * (active side), the replay tracker (standby side), the IPC link and the LAN heartbeats. The
 * daemon supplies hooks into its TCP engine and calls `handle(now)` at `nextDeadline()` (the
 * shape of its event loop's timed components). No timers of its own (a bulk sync only yields
 * a turn between slices, bulk-sync.ts); time comes from `clock`.
 */
import type { HeartbeatService } from '../heartbeat/service.ts';
import { closedByMate } from '../ipc/channel.ts';
import { type HaLog, silentLog } from '../ipc/log-sink.ts';
import type { IpcRecord, SnapshotRecord } from '../ipc/records.ts';
import { type CommitStats, OutputGate, type Released } from '../log/output-gate.ts';
import { ReplayTracker } from '../log/replay-tracker.ts';
import { type LogRecord, ReplicationLog } from '../log/replication-log.ts';
import { HaNode } from '../roles/node.ts';
import type { HaAction, HaInput, HaNodeConfig, HaStatus } from '../roles/types.ts';
import {
  type BulkSliceLimits,
  type BulkSync,
  DEFAULT_BULK_SLICE,
  startBulkSync,
} from './bulk-sync.ts';
import type { IpcPort, LanPort } from './ports.ts';
import { routeRecord } from './record-router.ts';

export interface HaHooks<Out> {
  /** Standby: replay one log record into the engine; return the variables that differ. */
  applyRecord(rec: LogRecord): string[];
  /** Standby: a bulk sync begins: forget every replicated connection. */
  onBulkBegin(): void;
  /** Active: control blocks of every SSO connection (`conn` null) or of one. */
  snapshots(conn: number | null): Omit<SnapshotRecord, 'kind'>[];
  /**
   * Active: the SSO connections, so a bulk sync can snapshot each one only when its turn comes
   * (without it, `snapshots(null)` is taken at once and only the sending is sliced).
   */
  ssoConnections?(): number[];
  /** Outputs the gate let through, in order. */
  transmit(outputs: Released<Out>[]): void;
  /** Every role-machine action, after the runtime did its own part (GARP, rebase, ...). */
  onAction(action: HaAction): void;
}

/**
 * Heartbeats: either `lan` (sent and heard on this event loop, on the LAN port and as IPC
 * records; silence is a timeout here) or `heartbeats` (a heartbeat thread with its own
 * sockets on both paths decides silence; this loop checks in with it).
 */
export type HaHeartbeats =
  | { lan: LanPort; heartbeats?: never }
  | { heartbeats: HeartbeatService; lan?: never };

export type HaRuntimeOptions<Out> = HaHeartbeats & {
  node: HaNodeConfig;
  ipc: IpcPort;
  hooks: HaHooks<Out>;
  clock: () => number;
  log?: HaLog;
  /** Bounds of one bulk-sync slice (default DEFAULT_BULK_SLICE). */
  bulkSlice?: BulkSliceLimits;
};

export class HaRuntime<Out> {
  readonly node: HaNode;
  log: ReplicationLog;
  tracker: ReplayTracker;
  gate = new OutputGate<Out>();
  /** Active: index of the bulk-end record whose confirmation makes the standby hot. */
  bulkEndIndex: number | undefined;
  /** Active: the bulk sync being sent, if any. */
  bulk: BulkSync | undefined;
  private readonly bulkSlice: BulkSliceLimits;
  private confirmPending = false;
  /** Inputs that arrived while an earlier one was being carried out (see `input`). */
  private pendingInputs: HaInput[] | undefined;
  readonly hooks: HaHooks<Out>;
  readonly ipc: IpcPort;
  private readonly lan: LanPort | undefined;
  private readonly beats: HeartbeatService | undefined;
  private readonly logSink: HaLog;
  private readonly clock: () => number;

  constructor(opts: HaRuntimeOptions<Out>) {
    this.clock = opts.clock;
    this.hooks = opts.hooks;
    this.ipc = opts.ipc;
    this.logSink = opts.log ?? silentLog;
    this.bulkSlice = opts.bulkSlice ?? DEFAULT_BULK_SLICE;
    this.beats = opts.heartbeats;
    this.node = new HaNode(
      { ...opts.node, reportedLiveness: this.beats !== undefined },
      this.clock(),
    );
    this.log = new ReplicationLog(0);
    this.tracker = new ReplayTracker(0);
    opts.ipc.on('up', () => this.input({ kind: 'ipc-up', now: this.clock() }));
    opts.ipc.on('down', (reason) => {
      this.stopBulkSync();
      this.input({ kind: 'ipc-down', now: this.clock(), byMate: closedByMate(reason) });
    });
    opts.ipc.on('record', (rec) => {
      const now = this.clock();
      // Any record is a sign of life on the IPC path (heartbeats may queue behind a batch).
      if (rec.type !== 'heartbeat') this.node.detector.touch('ipc', now);
      routeRecord(this, rec, now);
    });
    opts.lan?.on('heartbeat', (hb) =>
      this.input({ kind: 'heartbeat', path: 'lan', hb, now: this.clock() }),
    );
    this.lan = opts.lan;
    this.beats?.on('heard', (path, hb, at) => {
      const now = this.clock();
      this.input({ kind: 'heartbeat', path, hb, at, now });
      this.checkIn(now);
    });
    this.beats?.on('silent', (path, lastHeard) => {
      const now = this.clock();
      this.input({ kind: 'path-silent', path, lastHeard, now });
      this.checkIn(now);
    });
  }

  /** Timed-component entry: heartbeats and time-driven transitions. */
  handle(now: number): void {
    this.beats?.poll(now);
    this.takeHole(now);
    this.input({ kind: 'tick', now });
    this.checkIn(now);
    if (!this.node.heartbeatDue(now)) return;
    const hb = this.node.heartbeat(now);
    if (this.beats) {
      this.beats.beat?.(hb, now); // the heartbeat thread sends too
      return;
    }
    if (this.ipc.isUp) this.ipc.send({ type: 'heartbeat', ...hb });
    this.lan?.send(hb);
  }

  /** When `handle(now)` is next needed; at or before the clock's now when it is overdue. */
  nextDeadline(): number {
    const now = this.clock();
    if (this.beats?.holePending(now)) return now;
    return this.node.nextDeadline();
  }

  /**
   * Whether this board may transmit on the front now. Also false while a hole in its own
   * heartbeats waits for `handle` (the mate may have taken over meanwhile).
   */
  mayTransmit(): boolean {
    return this.node.front && !this.beats?.holePending(this.clock());
  }

  /** The main loop is alive; the heartbeats carry the role and epoch as they are now. */
  private checkIn(now: number): void {
    const n = this.node;
    this.beats?.checkIn(now, {
      slot: n.cfg.slot,
      role: n.role,
      epoch: n.epoch,
      sync: n.sync,
      frontDown: !n.frontLinkUp,
    });
  }

  private takeHole(now: number): void {
    const holeMs = this.beats?.takeHole(now);
    if (holeMs !== undefined) this.input({ kind: 'heartbeat-hole', holeMs, now });
  }

  /**
   * Whether SSO records go into the log now: a standby is syncing or hot, or the IPC alarm is
   * still holding outputs (those records cannot be sent, so their outputs wait for the timeout).
   */
  get replicating(): boolean {
    return this.node.role === 'active' && (this.node.commitWait || this.node.sync === 'syncing');
  }

  /**
   * Active: append an entry of an SSO connection and send it. Returns the record's index (what
   * its outputs depend on), or 0 when no standby is attached (nothing to wait for).
   */
  replicate(entry: LogRecord['entry']): number {
    if (!this.replicating) return 0;
    if (this.bulk?.covers(entry.conn, entry.kind)) return 0;
    const rec = this.log.append(entry);
    if (this.ipc.isUp) this.ipc.send(rec);
    return rec.index;
  }

  /** Whether records reach the standby as they are written now (no bulk sync under way). */
  replicatesNow(): boolean {
    return this.replicating && this.ipc.isUp && !this.bulk;
  }

  /** Outputs submitted with AWAITING_RECORDS now depend on the record at `index`. */
  resolveAwaiting(index: number): void {
    const released = this.gate.resolve(index, this.clock());
    if (released.length) this.hooks.transmit(released);
  }

  /** Whether more records fit in the IPC window (else: pause reading inputs until 'drain'). */
  canReplicate(): boolean {
    return !this.replicating || !this.ipc.isUp || this.ipc.canSend();
  }

  /** Active: an output produced by the record at `dependsOn`; sent now or when confirmed. */
  submit(output: Out, dependsOn: number): void {
    const released = this.gate.submit(output, dependsOn, this.clock());
    if (released.length) this.hooks.transmit(released);
  }

  requestSwitchover(): void {
    this.input({ kind: 'switchover-request', now: this.clock() });
  }

  status(): HaStatus & {
    lag: { records: number; bytes: number };
    held: number;
    commit: CommitStats;
    lastApplied: number;
    replay: ReplayTracker['stats'];
  } {
    return {
      ...this.node.status(this.clock()),
      front: this.mayTransmit(), // what the transmit gate says now (a hole may be pending)
      lag: this.log.lag(),
      held: this.gate.held,
      commit: this.gate.stats,
      lastApplied: this.tracker.lastApplied,
      replay: this.tracker.stats,
    };
  }

  send(rec: IpcRecord): void {
    this.ipc.send(rec);
  }

  /** Standby: confirm what was applied, once per burst of arrivals. */
  scheduleConfirm(): void {
    if (this.confirmPending) return;
    this.confirmPending = true;
    queueMicrotask(() => {
      this.confirmPending = false;
      const c = this.tracker.confirmation();
      if (c && this.ipc.isUp) this.ipc.send(c);
    });
  }

  /**
   * Feed the role machine and carry out its actions. An input that arrives while actions are
   * being carried out (a hook pokes the event loop, a confirmation comes back at once) waits
   * until they are all done: otherwise a nested transition's records (a switchover commit) would
   * reach the mate before the records of the transition that caused it (its prepare).
   */
  input(input: HaInput): void {
    if (this.pendingInputs) {
      const last = this.pendingInputs[this.pendingInputs.length - 1];
      if (input.kind === 'tick' && last?.kind === 'tick') last.now = input.now;
      else this.pendingInputs.push(input);
      return;
    }
    this.pendingInputs = [];
    try {
      for (let next: HaInput | undefined = input; next; next = this.pendingInputs.shift())
        this.process(next);
    } finally {
      this.pendingInputs = undefined;
    }
  }

  private process(input: HaInput): void {
    for (const a of this.node.handle(input)) {
      this.carryOut(a, input.now);
      this.hooks.onAction(a);
    }
    // A drain that finds nothing unconfirmed completes at once.
    if (
      input.kind !== 'log-drained' &&
      this.node.handover?.phase === 'draining' &&
      this.log.drained
    ) {
      this.process({ kind: 'log-drained', now: input.now });
    }
  }

  /**
   * Active: send bulk-begin, then a snapshot record per SSO connection in slices (bulk-sync.ts),
   * then bulk-end, whose confirmation makes the standby hot.
   */
  bulkSync(): void {
    startBulkSync(this, { clock: this.clock, log: this.logSink, limits: this.bulkSlice });
  }

  /** Room in the log again (a confirmation): a waiting bulk sync goes on. */
  bulkRoom(): void {
    this.bulk?.kick();
  }

  private stopBulkSync(): void {
    this.bulk?.cancel();
    this.bulk = undefined;
  }

  private carryOut(a: HaAction, now: number): void {
    switch (a.kind) {
      case 'send-hello': {
        const lastIndex =
          this.node.role === 'active' ? this.log.lastIndex : this.tracker.lastApplied;
        const { slot, role, epoch, sync } = this.node.status(now);
        this.ipc.send({
          type: 'hello',
          slot,
          role,
          epoch,
          sync,
          lastIndex,
          wantBulkSync: a.wantBulkSync,
        });
        break;
      }
      case 'send-switchover':
        this.ipc.send({
          type: 'switchover',
          epoch: a.epoch,
          phase: a.phase,
          lastIndex: this.log.lastIndex,
          reason: a.reason,
        });
        break;
      case 'start-bulk-sync':
        this.bulkSync();
        break;
      case 'ipc-reset':
        this.ipc.reset(a.reason);
        break;
      case 'commit-wait': {
        const released = this.gate.setWaiting(a.wait, now);
        if (released.length) this.hooks.transmit(released);
        break;
      }
      case 'become-active':
        this.stopBulkSync();
        // The log goes on from what this board applied; confirmations restart from there.
        this.log = new ReplicationLog(
          a.epoch,
          a.reason === 'election' ? 0 : this.tracker.lastApplied,
        );
        this.gate = new OutputGate<Out>();
        this.gate.resetConfirmed(this.log.confirmedIndex);
        this.bulkEndIndex = undefined;
        break;
      case 'become-standby':
        this.stopBulkSync();
        this.tracker = new ReplayTracker(
          a.epoch,
          a.reason === 'switchover' ? this.log.lastIndex : 0,
        );
        this.gate = new OutputGate<Out>(); // held outputs die with the role: the front is silent
        break;
      case 'log':
        this.logSink(a.event);
        break;
      default:
        break;
    }
  }
}
