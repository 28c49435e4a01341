/**
 * Two `HaNode`s in virtual time with an IPC link and a front LAN that can be cut, boards that
 * can be killed, frozen and resumed, and a stand-in for bulk sync and log draining. Used by the
 * election and failure-detection tests; deterministic (1 ms steps, fixed delays).
 */
import type { HeartbeatPath } from '../heartbeat/detector.ts';
import { HaNode } from './node.ts';
import type { HaAction, HaInput, HaNodeConfig } from './types.ts';

export interface PairEvent {
  at: number;
  slot: number;
  action: HaAction;
}

type Board = { node: HaNode; frozen: boolean; inbox: HaInput[] };

export class VirtualPair {
  now = 0;
  readonly boards: (Board | undefined)[] = [undefined, undefined];
  readonly links: Record<HeartbeatPath, boolean> = { ipc: true, lan: true };
  readonly events: PairEvent[] = [];
  /** Times at which both boards had their front open (must stay empty). */
  readonly dualFront: number[] = [];
  /** Front state of a board after each input it handled. */
  readonly frontTrace: { at: number; slot: number; front: boolean }[] = [];
  private ipcConnected = false;
  private readonly timers: { at: number; run: () => void }[] = [];

  constructor(private readonly cfg: Omit<HaNodeConfig, 'slot'>) {}

  /** Both booted together, slot 0 active and slot 1 its hot standby. */
  static hot(cfg: Omit<HaNodeConfig, 'slot'>): VirtualPair {
    const p = new VirtualPair(cfg);
    p.boot(0);
    p.boot(1);
    p.until(() => p.node(1).sync === 'hot' && p.node(0).sync === 'hot', 500);
    return p;
  }

  boot(slot: number): HaNode {
    // A restarted board opens a new IPC connection; the survivor's old one is replaced.
    if (this.ipcConnected) this.dropIpc();
    const node = new HaNode({ ...this.cfg, slot }, this.now);
    this.boards[slot] = { node, frozen: false, inbox: [] };
    return node;
  }

  /** Power cut (connection left silent), or process death (`rst`: the mate's TCP sees a reset). */
  kill(slot: number, rst = false): void {
    this.boards[slot] = undefined;
    if (rst && this.ipcConnected) this.dropIpc(true);
  }

  /**
   * Pull (or plug back) one board's front cable: the LAN heartbeats stop both ways and the
   * board's daemon reads its carrier as down.
   */
  frontCable(slot: number, plugged: boolean): void {
    this.links.lan = plugged;
    this.input(slot, { kind: 'front-link', up: plugged, now: this.now });
  }

  freeze(slot: number, frozen: boolean): void {
    const b = this.boards[slot];
    if (!b) return;
    b.frozen = frozen;
    if (!frozen) {
      // Resumed: the kernel hands over what queued meanwhile, after the timers phase.
      this.input(slot, { kind: 'tick', now: this.now });
      for (const queued of b.inbox.splice(0)) this.input(slot, { ...queued, now: this.now });
    }
  }

  /** Operator asks `slot` for a planned switchover. */
  requestSwitchover(slot: number): void {
    this.input(slot, { kind: 'switchover-request', now: this.now });
  }

  node(slot: number): HaNode {
    const b = this.boards[slot];
    if (!b) throw new Error(`slot ${slot} is not running`);
    return b.node;
  }

  actions(slot: number, kind: HaAction['kind']): PairEvent[] {
    return this.events.filter((e) => e.slot === slot && e.action.kind === kind);
  }

  run(ms: number): void {
    const end = this.now + ms;
    while (this.now < end) this.step();
  }

  /** Runs until `cond` holds or `limitMs` passes; returns the time it took. */
  until(cond: () => boolean, limitMs: number): number {
    const start = this.now;
    while (!cond()) {
      if (this.now - start >= limitMs) throw new Error(`condition not met within ${limitMs} ms`);
      this.step();
    }
    return this.now - start;
  }

  private step(): void {
    this.now++;
    for (const t of this.timers.filter((x) => x.at <= this.now)) {
      this.timers.splice(this.timers.indexOf(t), 1);
      t.run();
    }
    this.updateIpc();
    for (const slot of [0, 1]) {
      const b = this.boards[slot];
      if (!b || b.frozen) continue;
      this.input(slot, { kind: 'tick', now: this.now });
      if (b.node.heartbeatDue(this.now)) {
        const hb = b.node.heartbeat(this.now);
        for (const path of ['ipc', 'lan'] as const) {
          if (path === 'lan' ? this.links.lan : this.ipcWorks) {
            this.deliver(1 - slot, { kind: 'heartbeat', path, hb, now: this.now });
          }
        }
      }
    }
    const open = this.boards.filter((b) => b && !b.frozen && b.node.front).length;
    if (open > 1) this.dualFront.push(this.now);
  }

  /** A cut cable or a dead board leaves the connection open but silent, as kernel TCP does. */
  private get ipcWorks(): boolean {
    return this.ipcConnected && this.links.ipc;
  }

  private updateIpc(): void {
    if (this.ipcConnected || !this.links.ipc || !this.boards.every((b) => b !== undefined)) return;
    this.ipcConnected = true;
    for (const slot of [0, 1]) this.deliver(slot, { kind: 'ipc-up', now: this.now });
  }

  /** `byMate`: a board's process died and its kernel reset the connection. */
  private dropIpc(byMate = false): void {
    this.ipcConnected = false;
    for (const s of [0, 1]) this.deliver(s, { kind: 'ipc-down', now: this.now, byMate });
  }

  private deliver(slot: number, input: HaInput): void {
    const b = this.boards[slot];
    if (!b) return;
    if (b.frozen) b.inbox.push(input);
    else this.input(slot, input);
  }

  private later(ms: number, run: () => void): void {
    this.timers.push({ at: this.now + ms, run });
  }

  private input(slot: number, input: HaInput): void {
    const b = this.boards[slot];
    if (!b) return;
    const actions = b.node.handle(input);
    this.frontTrace.push({ at: this.now, slot, front: b.node.front });
    for (const action of actions) {
      this.events.push({ at: this.now, slot, action });
      this.carryOut(slot, action);
    }
  }

  private carryOut(slot: number, a: HaAction): void {
    const mate = 1 - slot;
    const viaIpc = (input: () => HaInput) => {
      if (this.ipcWorks) this.later(1, () => this.ipcWorks && this.deliver(mate, input()));
    };
    switch (a.kind) {
      case 'send-hello': {
        const n = this.node(slot);
        viaIpc(() => ({
          kind: 'hello',
          hello: {
            slot,
            role: n.role,
            epoch: n.epoch,
            sync: n.sync,
            lastIndex: 0,
            wantBulkSync: a.wantBulkSync,
          },
          now: this.now,
        }));
        break;
      }
      case 'send-switchover':
        viaIpc(() => ({
          kind: 'switchover',
          phase: a.phase,
          epoch: a.epoch,
          upToDate: true,
          now: this.now,
        }));
        break;
      case 'start-bulk-sync':
        viaIpc(() => ({ kind: 'bulk-sync-begun', now: this.now }));
        this.later(10, () => {
          if (!this.ipcWorks) return;
          this.deliver(mate, { kind: 'bulk-sync-done', now: this.now });
          this.later(
            1,
            () => this.ipcWorks && this.deliver(slot, { kind: 'bulk-sync-done', now: this.now }),
          );
        });
        break;
      case 'pause-inputs':
        if (a.paused)
          this.later(2, () => this.deliver(slot, { kind: 'log-drained', now: this.now }));
        break;
      case 'ipc-reset':
        if (this.ipcConnected) this.dropIpc();
        break;
      default:
        break;
    }
  }
}
