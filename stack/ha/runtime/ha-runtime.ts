/**
 * Wires the HA parts for the daemon: the role machine, the replication log and output gate
 * (active side), the replay tracker (standby side), the IPC link and the LAN heartbeats. The
 * daemon supplies hooks into its TCP engine and calls `handle(now)` at `nextDeadline()` (the
 * shape of its event loop's timed components). No timers of its own; time comes from `clock`.
 */
import { type HaLog, silentLog } from '../ipc/log-sink.ts';
import type { IpcRecord, SnapshotRecord } from '../ipc/records.ts';
import { OutputGate, type Released } from '../log/output-gate.ts';
import { ReplayTracker } from '../log/replay-tracker.ts';
import { type LogRecord, ReplicationLog } from '../log/replication-log.ts';
import { HaNode } from '../roles/node.ts';
import type { HaAction, HaNodeConfig, HaStatus } from '../roles/types.ts';
import type { IpcPort, LanPort } from './ports.ts';
import { routeRecord } from './record-router.ts';

export interface HaHooks<Out> {
  /** Standby: replay one log record into the engine; return the variables that differ. */
  applyRecord(rec: LogRecord): string[];
  /** Standby: a bulk sync begins: forget every replicated connection. */
  onBulkBegin(): void;
  /** Active: control blocks of every SSO connection (`conn` null) or of one. */
  snapshots(conn: number | null): Omit<SnapshotRecord, 'kind'>[];
  /** Outputs the gate let through, in order. */
  transmit(outputs: Released<Out>[]): void;
  /** Every role-machine action, after the runtime did its own part (GARP, rebase, ...). */
  onAction(action: HaAction): void;
}

export interface HaRuntimeOptions<Out> {
  node: HaNodeConfig;
  ipc: IpcPort;
  lan: LanPort;
  hooks: HaHooks<Out>;
  clock: () => number;
  log?: HaLog;
}

export class HaRuntime<Out> {
  readonly node: HaNode;
  log: ReplicationLog;
  tracker: ReplayTracker;
  gate = new OutputGate<Out>();
  /** Active: index of the bulk-end record whose confirmation makes the standby hot. */
  bulkEndIndex: number | undefined;
  private confirmPending = false;
  readonly hooks: HaHooks<Out>;
  readonly ipc: IpcPort;
  private readonly lan: LanPort;
  private readonly logSink: HaLog;
  private readonly clock: () => number;

  constructor(opts: HaRuntimeOptions<Out>) {
    this.clock = opts.clock;
    this.hooks = opts.hooks;
    this.ipc = opts.ipc;
    this.logSink = opts.log ?? silentLog;
    this.node = new HaNode(opts.node, this.clock());
    this.log = new ReplicationLog(0);
    this.tracker = new ReplayTracker(0);
    opts.ipc.on('up', () => this.input({ kind: 'ipc-up', now: this.clock() }));
    opts.ipc.on('down', () => this.input({ kind: 'ipc-down', now: this.clock() }));
    opts.ipc.on('record', (rec) => {
      const now = this.clock();
      // Any record is a sign of life on the IPC path (heartbeats may queue behind a batch).
      if (rec.type !== 'heartbeat') this.node.detector.touch('ipc', now);
      routeRecord(this, rec, now);
    });
    opts.lan.on('heartbeat', (hb) =>
      this.input({ kind: 'heartbeat', path: 'lan', hb, now: this.clock() }),
    );
    this.lan = opts.lan;
  }

  /** Timed-component entry: heartbeats and time-driven transitions. */
  handle(now: number): void {
    this.input({ kind: 'tick', now });
    if (this.node.heartbeatDue(now)) {
      const hb = this.node.heartbeat(now);
      if (this.ipc.isUp) this.ipc.send({ type: 'heartbeat', ...hb });
      this.lan.send(hb);
    }
  }

  /** When `handle(now)` is next needed; at or before the clock's now when it is overdue. */
  nextDeadline(): number {
    return this.node.nextDeadline();
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
    const rec = this.log.append(entry);
    if (this.ipc.isUp) this.ipc.send(rec);
    return rec.index;
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
    lastApplied: number;
    replay: ReplayTracker['stats'];
  } {
    return {
      ...this.node.status(this.clock()),
      lag: this.log.lag(),
      held: this.gate.held,
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

  /** Feed the role machine and carry out its actions. */
  input(input: Parameters<HaNode['handle']>[0]): void {
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
      this.input({ kind: 'log-drained', now: input.now });
    }
  }

  /** Active: send bulk-begin, a snapshot record per connection (or one), bulk-end. */
  bulkSync(): void {
    this.log.abandonUnconfirmed();
    const snaps = this.hooks.snapshots(null);
    this.ipc.send({
      type: 'bulk-begin',
      epoch: this.node.epoch,
      baseIndex: this.log.lastIndex,
      connections: snaps.length,
    });
    for (const s of snaps) this.ipc.send(this.log.append({ kind: 'snapshot', ...s }));
    this.ipc.send({ type: 'bulk-end', epoch: this.node.epoch, lastIndex: this.log.lastIndex });
    this.bulkEndIndex = this.log.lastIndex;
    this.logSink({
      level: 'info',
      msg: 'bulk sync sent',
      connections: snaps.length,
      lastIndex: this.log.lastIndex,
    });
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
