/**
 * The fault library's contract (Jepsen's nemesis is the model): every fault
 * knows how to find its target, inject itself, heal, and what outcome the
 * chassis is expected to show. Faults act only through ChassisControl, which
 * the runner implements with the lab drivers, so the same fault breaks the
 * virtual chassis and a real one.
 */
import type { FaultKind } from '../plan/schema.ts';

export type BoardRole = 'active' | 'standby';

export interface ChassisControl {
  /** Board names by role, read from the daemons' status. */
  roles(): Promise<{ active?: string; standby?: string }>;
  power(board: string, action: 'on' | 'off'): Promise<void>;
  /** Send a signal to a board's stack daemon (over SSH). */
  signalDaemon(board: string, signal: 'KILL' | 'STOP' | 'CONT' | 'TERM'): Promise<void>;
  /** Start the board's stack daemon again (after a kill) without a reboot. */
  startDaemon(board: string): Promise<void>;
  /** The cable names of a board in the lab file. */
  cables(board: string): { front: string; ipc: string };
  link(cable: string, state: 'up' | 'down'): Promise<void>;
  /** Ask the active board for a planned switchover. */
  switchover(board: string): Promise<void>;
  /** Resolve when `board` has booted (console login prompt, SSH answering). */
  waitBooted(board: string, timeoutMs: number): Promise<void>;
  /**
   * Start a board's daemon and kill -9 it while its bulk sync is under way
   * (from its hello asking for one until it is hot); says whether it landed
   * there or the board had turned hot first.
   */
  startAndKillInBulkSync(board: string, timeoutMs: number): Promise<'in-sync' | 'hot-first'>;
  /** Resolve when there is an active board and a hot standby. */
  waitHot(timeoutMs: number): Promise<void>;
  /** Resolve when some board other than `previous` is active. */
  waitTakeover(previous: string, timeoutMs: number): Promise<string>;
  sleep(ms: number): Promise<void>;
  /** Put a harness event on the run's timeline. */
  mark(kind: string, detail: Record<string, unknown>): void;
}

export interface FaultTiming {
  hold_ms?: number;
  boot_timeout_ms: number;
  hot_timeout_ms: number;
}

/** What the campaign expects the peers to see. */
export type ExpectedOutcome = 'no-drop' | 'degraded';

export interface Fault {
  kind: FaultKind;
  description: string;
  expected: ExpectedOutcome;
  /** Inject the fault; returns what heal needs (the target board, say). */
  inject(ctx: ChassisControl, timing: FaultTiming): Promise<FaultState>;
  /** Undo the fault and wait until the chassis is whole again (standby hot). */
  heal(ctx: ChassisControl, state: FaultState, timing: FaultTiming): Promise<void>;
}

export interface FaultState {
  target: string;
  /** The board that was active before the fault. */
  previousActive?: string;
  /** Cables left down by inject. */
  cablesDown: string[];
  /** Boards left powered off by inject. */
  poweredOff: string[];
  /** Boards whose daemon is stopped (SIGSTOP) or killed. */
  frozen: string[];
  killed: string[];
}

export class FaultError extends Error {
  readonly code = 'FAULT_FAILED';
}

export function emptyState(target: string, previousActive?: string): FaultState {
  return { target, previousActive, cablesDown: [], poweredOff: [], frozen: [], killed: [] };
}

/** The board currently active; a fault needs one to aim at. */
export async function requireActive(ctx: ChassisControl): Promise<string> {
  const { active } = await ctx.roles();
  if (!active) throw new FaultError('no active board to aim the fault at');
  return active;
}

export async function requireStandby(ctx: ChassisControl): Promise<string> {
  const { standby } = await ctx.roles();
  if (!standby) throw new FaultError('no standby board to aim the fault at');
  return standby;
}

/**
 * The heal every fault shares: whatever inject left broken is restored
 * (processes resumed or restarted, power on, cables up), then the chassis must
 * get back to an active board with a hot standby.
 */
export async function restoreAll(
  ctx: ChassisControl,
  state: FaultState,
  timing: FaultTiming,
): Promise<void> {
  for (const board of state.frozen) await ctx.signalDaemon(board, 'CONT');
  for (const cable of state.cablesDown) await ctx.link(cable, 'up');
  for (const board of state.poweredOff) {
    await ctx.power(board, 'on');
    await ctx.waitBooted(board, timing.boot_timeout_ms);
  }
  for (const board of state.killed) await ctx.startDaemon(board);
  state.frozen = [];
  state.cablesDown = [];
  state.poweredOff = [];
  state.killed = [];
  await ctx.waitHot(timing.hot_timeout_ms);
}

interface FaultSpec {
  kind: FaultKind;
  description: string;
  expected?: ExpectedOutcome;
  /** Which board the fault aims at. */
  aim: 'active' | 'standby';
  /** Heal waits for the mate to have taken over before restoring anything. */
  takeover?: boolean;
  /** Break the chassis; record in `state` what heal must restore. */
  act(ctx: ChassisControl, state: FaultState, timing: FaultTiming): Promise<void>;
}

/** A fault aimed at one board, healed by restoring whatever it broke. */
export function boardFault(spec: FaultSpec): Fault {
  return {
    kind: spec.kind,
    description: spec.description,
    expected: spec.expected ?? 'no-drop',
    async inject(ctx, timing) {
      const target = spec.aim === 'active' ? await requireActive(ctx) : await requireStandby(ctx);
      const previousActive = spec.aim === 'active' ? target : (await ctx.roles()).active;
      const state = emptyState(target, previousActive);
      await spec.act(ctx, state, timing);
      return state;
    },
    async heal(ctx, state, timing) {
      if (spec.takeover) await ctx.waitTakeover(state.target, timing.hot_timeout_ms);
      await restoreAll(ctx, state, timing);
    },
  };
}

/** Pull one of the target board's cables for hold_ms; heal replugs it. */
export async function pullCable(
  ctx: ChassisControl,
  state: FaultState,
  which: 'front' | 'ipc',
  holdMs: number,
): Promise<void> {
  const cable = ctx.cables(state.target)[which];
  await ctx.link(cable, 'down');
  state.cablesDown.push(cable);
  await ctx.sleep(holdMs);
}
