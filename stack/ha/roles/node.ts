/**
 * The HA role state machine of one board: election at boot, sync state, takeover, mastership
 * safety (epochs), IPC alarm, planned switchover. Pure and deterministic: `handle(input)`
 * returns the actions for the daemon; `now` comes with every input.
 *
 * Safety rules it enforces:
 * - the mate is dead only when both heartbeat paths are silent; IPC silence alone makes the
 *   standby `disconnected` and never leads to takeover;
 * - only a hot standby takes over (or one that lost IPC while hot so recently that the active
 *   was still holding its outputs for confirmation: see takeover-rule.ts);
 * - an active that hears an active mate with a higher epoch (or the same epoch and a lower
 *   slot) steps down and goes silent on the front;
 * - a board whose inputs stopped for longer than the detection time (frozen, SIGSTOP) is on
 *   probation for one more detection time: an active stays silent on the front, a standby does
 *   not take over, until fresh heartbeats had time to arrive.
 */
import { FailureDetector, type PathStatus } from '../heartbeat/detector.ts';
import { type MateLiveness, ReportedLiveness } from '../heartbeat/liveness.ts';
import type { Heartbeat, Role, SyncState } from '../ipc/records.ts';
import { frontFailover, frontFailoverDeadline, frontFailoverMs } from './front-failover.ts';
import { MateExitWatch } from './mate-exit.ts';
import { nodeStatus } from './status.ts';
import {
  checkHandover,
  type Handover,
  type HandoverCounts,
  handleSwitchover,
  switchoverDeadline,
} from './switchover.ts';
import { evaluateTransitions } from './transitions.ts';
import type {
  BecomeActiveReason,
  BecomeStandbyReason,
  HaAction,
  HaInput,
  HaNodeConfig,
  HaStatus,
} from './types.ts';

export class HaNode {
  role: Role = 'booting';
  epoch = 0;
  sync: SyncState = 'cold';
  front = false;
  commitWait = false;
  alarm: string | null = null;
  ipcUp = false;
  handover: Handover | undefined;
  readonly handovers: HandoverCounts = { started: 0, done: 0, aborted: 0, lastAbort: null };
  lastSwitchover: HaStatus['lastSwitchover'] = null;
  readonly detector: MateLiveness;
  /** The mate's kernel closed the IPC stream: its daemon probably exited (mate-exit.ts). */
  readonly mateExit: MateExitWatch;
  /** This board's front link has carrier (as the daemon last read it). */
  frontLinkUp = true;
  frontDownSince: number | undefined;
  frontRetryAt = Number.NEGATIVE_INFINITY;
  readonly frontFailoverMs: number;
  readonly detectionMs: number;
  readonly alarmTimeoutMs: number;
  readonly switchoverTimeoutMs: number;
  readonly bootDeadline: number;
  private lastNow: number;
  probationUntil: number | undefined;
  alarmSince = 0;
  alarmWasHot = false;
  ipcLossHandled = false;
  disconnectedFromHot = false;
  bulkRequested = false;
  /**
   * When this standby was last known current over IPC (a heartbeat of a hot session, a bulk
   * sync done, a hot session's end): the takeover rule's clock. Kept apart from the detector,
   * which forgets the path when its transport closes.
   */
  lastCurrentOverIpc: number | undefined;
  noTakeoverLogged = false;
  private lastReassert = Number.NEGATIVE_INFINITY;
  private counter = 0;
  private nextHeartbeatAt: number;

  constructor(
    readonly cfg: HaNodeConfig,
    now: number,
  ) {
    this.detectionMs = cfg.intervalMs * cfg.misses;
    this.detector = cfg.reportedLiveness
      ? new ReportedLiveness(this.detectionMs)
      : new FailureDetector({ intervalMs: cfg.intervalMs, misses: cfg.misses });
    this.mateExit = new MateExitWatch(cfg.intervalMs, this.detectionMs);
    this.frontFailoverMs = frontFailoverMs(cfg.intervalMs);
    this.alarmTimeoutMs = cfg.alarmTimeoutMs ?? 5 * this.detectionMs;
    this.switchoverTimeoutMs = cfg.switchoverTimeoutMs ?? 1000;
    this.bootDeadline = now + (cfg.bootListenMs ?? 2 * this.detectionMs + cfg.intervalMs);
    this.lastNow = now;
    this.nextHeartbeatAt = now;
  }

  handle(input: HaInput): HaAction[] {
    const acts: HaAction[] = [];
    const now = input.now;
    const stalled =
      !this.cfg.reportedLiveness && now - this.lastNow > this.detectionMs + this.cfg.intervalMs;
    if (this.role !== 'booting' && stalled) {
      // Frozen or starved: what the detector remembers is stale (with a heartbeat thread, a
      // stall of this loop alone does not matter: only a hole in the heartbeats, below).
      this.probation(now, acts, 'inputs stalled: probation until the mate had time to be heard', {
        gapMs: now - this.lastNow,
      });
    }
    this.lastNow = Math.max(this.lastNow, now);
    switch (input.kind) {
      case 'heartbeat': {
        const at = Math.min(input.at ?? now, now);
        this.detector.heard(input.path, input.hb, at);
        if (input.path === 'ipc') {
          this.ipcLossHandled = false;
          // Only a hot session counts for the takeover rule: once disconnected, the active no
          // longer holds its outputs for this board, so IPC heard again does not make it current.
          if (this.sync === 'hot') this.lastCurrentOverIpc = at;
        }
        this.observeMate(input.hb, now, acts);
        break;
      }
      case 'path-silent':
        this.detector.silent(input.path, input.lastHeard);
        break;
      case 'heartbeat-hole':
        if (this.role !== 'booting')
          this.probation(now, acts, 'own heartbeats interrupted: probation', {
            holeMs: Math.round(input.holeMs),
          });
        break;
      case 'hello':
        this.observeMate({ ...input.hello, counter: 0, sentAt: now }, now, acts);
        if (
          this.role === 'active' &&
          input.hello.role === 'standby' &&
          // A hello opens a new session: unless both sides agree the standby is hot, resync.
          (input.hello.wantBulkSync || input.hello.sync !== 'hot' || this.sync !== 'hot')
        ) {
          this.sync = 'syncing';
          acts.push({ kind: 'start-bulk-sync' });
        }
        break;
      case 'ipc-up':
        // A fresh connection gets one detection time for its first heartbeat before a reset.
        this.ipcUp = true;
        this.ipcLossHandled = false;
        this.mateExit.clear();
        this.detector.touch('ipc', now);
        this.sendHello(acts, this.role === 'standby' && this.sync !== 'hot');
        break;
      case 'ipc-down':
        // A hot session was live until now (a killed mate's kernel resets it at once, maybe
        // before its first heartbeat on it): the takeover rule counts from here.
        if (this.ipcUp && this.sync === 'hot') this.lastCurrentOverIpc = now;
        if (input.byMate && this.ipcUp && this.role === 'standby') this.mateExit.suspect(now);
        this.ipcUp = false;
        this.detector.forget('ipc');
        break;
      case 'front-link':
        if (input.up !== this.frontLinkUp) {
          this.frontLinkUp = input.up;
          this.frontDownSince = input.up ? undefined : now;
          this.frontRetryAt = Number.NEGATIVE_INFINITY;
          this.log(
            acts,
            input.up ? 'info' : 'warn',
            input.up ? 'front link up' : 'front link down',
          );
        }
        break;
      case 'bulk-sync-begun':
        if (this.role === 'standby') this.sync = 'syncing';
        this.bulkRequested = false;
        break;
      case 'bulk-sync-done':
        if (this.role !== 'booting') this.sync = 'hot';
        // Current as of now: the takeover rule counts from here, not from the last IPC heartbeat
        // (maybe from before an outage; the mate may freeze before sending the next one).
        if (this.role === 'standby') this.lastCurrentOverIpc = now;
        this.disconnectedFromHot = false;
        this.noTakeoverLogged = false;
        this.log(acts, 'info', this.role === 'active' ? 'standby is hot' : 'hot');
        break;
      case 'resync-needed':
        // One request per bulk sync: records racing in before it begins also miss their turn.
        if (this.role === 'standby' && !this.bulkRequested) {
          this.sync = this.ipcUp ? 'syncing' : 'cold';
          this.log(acts, 'warn', 'resync needed', { reason: input.reason });
          if (this.ipcUp) this.sendHello(acts, true);
        }
        break;
      case 'switchover-request':
      case 'log-drained':
      case 'switchover':
        handleSwitchover(this, input, acts);
        break;
      case 'tick':
        break;
    }
    checkHandover(this, now, acts);
    evaluateTransitions(this, now, acts);
    frontFailover(this, now, acts);
    this.settle(now, acts);
    return acts;
  }

  /** Both heartbeat paths as the transitions judge them (the LAN one after a mate exit). */
  paths(now: number): { ipc: PathStatus; lan: PathStatus } {
    return {
      ipc: this.detector.path('ipc', now),
      lan: this.mateExit.lan(this.detector.path('lan', now), now),
    };
  }

  /** Fields of the heartbeat to send now on both paths (advances the heartbeat schedule). */
  heartbeat(now: number): Heartbeat {
    this.counter = (this.counter + 1) >>> 0;
    this.nextHeartbeatAt = now + this.cfg.intervalMs;
    return {
      slot: this.cfg.slot,
      role: this.role,
      epoch: this.epoch,
      sync: this.sync,
      counter: this.counter,
      sentAt: now,
      frontDown: !this.frontLinkUp,
    };
  }

  heartbeatDue(now: number): boolean {
    return now >= this.nextHeartbeatAt;
  }

  /**
   * The next time `handle({kind:'tick'})` or a heartbeat is needed: may be at or before `now`
   * when it is already due (a late timer), so the event loop runs it at once. Time-driven
   * transitions were evaluated at the last input, so only later ones count.
   */
  nextDeadline(_now?: number): number {
    const seen = this.lastNow;
    const candidates = [
      this.detector.nextExpiry(seen),
      this.mateExit.deadline(this.detector.path('lan', seen)),
      frontFailoverDeadline(this),
      this.probationUntil,
      switchoverDeadline(this),
    ];
    if (this.role === 'booting') candidates.push(this.bootDeadline);
    if (this.alarm && this.commitWait) candidates.push(this.alarmSince + this.alarmTimeoutMs);
    return Math.min(
      this.nextHeartbeatAt,
      ...candidates.filter((c): c is number => c !== undefined && c > seen),
    );
  }

  status(now: number): HaStatus {
    return nodeStatus(this, now);
  }

  becomeActive(acts: HaAction[], reason: BecomeActiveReason, epoch: number, now: number): void {
    this.role = 'active';
    this.epoch = epoch;
    // After a planned switchover the mate holds the same state: it is a hot standby at once.
    if (reason === 'election' || reason === 'takeover') this.sync = 'cold';
    else if (reason === 'switchover') this.sync = 'hot';
    this.alarm = null;
    this.probationUntil = undefined;
    this.lastSwitchover = reason === 'election' ? this.lastSwitchover : { at: now, reason };
    acts.push({ kind: 'become-active', epoch, reason });
    this.log(acts, 'info', 'active', { reason, epoch });
  }

  becomeStandby(acts: HaAction[], reason: BecomeStandbyReason, epoch: number): void {
    this.role = 'standby';
    this.epoch = Math.max(this.epoch, epoch);
    this.mateExit.clear();
    this.sync = reason === 'switchover' ? 'hot' : 'cold';
    this.alarm = null;
    this.probationUntil = undefined;
    acts.push({ kind: 'become-standby', epoch: this.epoch, reason });
    this.log(acts, reason === 'stepped-down' ? 'warn' : 'info', 'standby', {
      reason,
      epoch: this.epoch,
    });
    if (reason !== 'switchover' && this.ipcUp) this.sendHello(acts, true);
  }

  /**
   * The mate may have found this board dead and taken over: an active stays silent on the
   * front and a standby does not take over until fresh heartbeats had time to arrive.
   */
  private probation(
    now: number,
    acts: HaAction[],
    msg: string,
    fields: Record<string, unknown>,
  ): void {
    this.probationUntil = now + this.detectionMs + this.cfg.intervalMs;
    this.log(acts, 'warn', msg, fields);
  }

  sendHello(acts: HaAction[], wantBulkSync: boolean): void {
    this.bulkRequested = wantBulkSync;
    acts.push({ kind: 'send-hello', wantBulkSync });
  }

  log(
    acts: HaAction[],
    level: 'debug' | 'info' | 'warn' | 'error',
    msg: string,
    fields: Record<string, unknown> = {},
  ): void {
    acts.push({
      kind: 'log',
      event: { level, msg, slot: this.cfg.slot, role: this.role, epoch: this.epoch, ...fields },
    });
  }

  private observeMate(hb: Heartbeat, now: number, acts: HaAction[]): void {
    if (hb.role !== 'active') return;
    if (this.role === 'booting') {
      this.becomeStandby(acts, 'election', hb.epoch);
    } else if (this.role === 'active') {
      if (hb.epoch > this.epoch || (hb.epoch === this.epoch && hb.slot < this.cfg.slot)) {
        this.becomeStandby(acts, 'stepped-down', hb.epoch);
      } else if (now - this.lastReassert >= this.detectionMs) {
        this.lastReassert = now;
        acts.push({ kind: 'reassert' });
        this.log(acts, 'warn', 'stale active mate heard: reasserting', { mateEpoch: hb.epoch });
      }
    } else {
      // A new mastership (a mate elected after booting, say) is a new session: a standby that
      // is not hot asks again, as its earlier request may have reached a board still booting.
      const newActive = hb.epoch > this.epoch;
      this.epoch = Math.max(this.epoch, hb.epoch);
      if (newActive && this.sync !== 'hot' && this.ipcUp) this.sendHello(acts, true);
    }
  }

  /** Front and commit-gate follow from the state; emit them when they change. */
  private settle(now: number, acts: HaAction[]): void {
    const front = this.role === 'active' && this.probationUntil === undefined;
    if (front !== this.front) {
      this.front = front;
      acts.push({
        kind: 'front',
        transmit: front,
        reason: `${this.role}${this.probationUntil ? ' (probation)' : ''}`,
      });
    }
    const holding =
      this.alarm !== null && this.alarmWasHot && now - this.alarmSince < this.alarmTimeoutMs;
    // Held from the start of a bulk sync, not only once hot: an output released while syncing
    // could otherwise reach a peer before its record, still queued behind the bulk-sync end,
    // reaches a standby that is hot (and may take over) by then.
    const wait =
      this.role === 'active' && (this.sync === 'hot' || this.sync === 'syncing' || holding);
    if (wait !== this.commitWait) {
      this.commitWait = wait;
      acts.push({
        kind: 'commit-wait',
        wait,
        reason: wait
          ? `standby ${this.sync === 'syncing' ? 'syncing' : 'hot'}`
          : `standby ${this.sync}`,
      });
    }
  }
}
