/**
 * The fault schedule, fault by fault: spacing, inject, heal, each action on
 * the timeline; a fault that cannot be completed is recorded and the chassis
 * restored before the next. Also the clean-up heal and the status monitor.
 */
import type { FaultState } from '../faults/fault.ts';
import { FAULTS } from '../faults/index.ts';
import type { expandSchedule, loadTestplan } from '../plan/load.ts';
import type { LabChassis } from './chassis.ts';
import { codeOf, messageOf, RunnerError } from './errors.ts';
import { faultLine, type Tally } from './progress.ts';
import type { IterationRecord } from './results.ts';
import type { Timeline } from './timeline.ts';

export function elapsedSince(t: number): string {
  const s = Math.floor((Date.now() - t) / 1000);
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')}`;
}

/** Resume frozen daemons, plug every cable back, power every board on. */
export async function healChassis(
  ch: LabChassis,
  lab: { boards: Array<{ name: string; cables: { front: string; ipc: string } }> },
  timeline: Timeline,
): Promise<void> {
  ch.healing = true;
  try {
    for (const b of [...ch.frozen]) await ch.signalDaemon(b, 'CONT').catch(() => undefined);
    const cables = new Set([
      ...ch.cablesDown,
      ...lab.boards.flatMap((b) => [b.cables.front, b.cables.ipc]),
    ]);
    for (const c of cables) await ch.link(c, 'up');
    const booting = lab.boards.filter((b) => ch.poweredOff.has(b.name));
    for (const b of booting) await ch.power(b.name, 'on');
    // A board powered on boots its daemon: let it come up, so stopping the daemons catches it too.
    for (const b of booting) {
      await ch.waitBooted(b.name, 30_000).catch(() => undefined);
      await ch.waitDaemon(b.name, 10_000);
    }
    timeline.add('harness', 'chassis.healed', {});
  } finally {
    ch.healing = false;
  }
}

/** Polls the boards' status in the background so every role change is on the timeline. */
export function startMonitor(ch: LabChassis, signal: AbortSignal): { stop: () => Promise<void> } {
  let running = true;
  const loop = (async () => {
    while (running && !signal.aborted) {
      await ch.poll().catch(() => undefined);
      await new Promise((r) => setTimeout(r, 300));
    }
  })();
  return {
    async stop() {
      running = false;
      await loop;
    },
  };
}

/** Timeline kinds of the harness's own actions on the chassis. */
const ACTIONS = new Set(['signal', 'power', 'link', 'switchover.request', 'daemon.start']);

export interface ScheduleContext {
  plan: ReturnType<typeof loadTestplan>;
  schedule: ReturnType<typeof expandSchedule>;
  chassis: LabChassis;
  timeline: Timeline;
  records: IterationRecord[];
  print: (line: string) => void;
  startedAt: number;
  trafficStart: number;
  signal: AbortSignal;
  peerErrors: () => number;
  /** Agent stalls longer than max_stall_ms so far. */
  longStalls?: () => number;
}

export async function runSchedule(c: ScheduleContext): Promise<void> {
  const tally: Tally = { done: 0, errors: 0, peerErrors: 0 };
  // An iteration's span runs from its inject to the next one's: what a fault
  // and its heal cause shows up before the next fault is injected.
  let previous: IterationRecord | undefined;
  for (const planned of c.schedule) {
    if (c.signal.aborted) throw new RunnerError('RUN_INTERRUPTED', 'interrupted');
    const fault = FAULTS[planned.kind];
    const rec: IterationRecord = {
      index: planned.iteration,
      kind: planned.kind,
      expected: fault.expected,
      ...(planned.holdMs !== undefined ? { holdMs: planned.holdMs } : {}),
      spanStart: previous ? Date.now() : c.trafficStart,
      spanEnd: Date.now(),
    };
    c.records.push(rec);
    c.timeline.iteration = planned.iteration;
    const line = (phase: string) => {
      tally.peerErrors = c.peerErrors();
      if (c.longStalls) tally.longStalls = c.longStalls();
      c.print(
        faultLine({
          index: planned.iteration,
          total: c.schedule.length,
          kind: planned.kind,
          elapsedMs: Date.now() - c.startedAt,
          tally,
          phase,
        }),
      );
    };
    line(`waiting ${planned.spacingMs} ms`);
    const timing = {
      ...(planned.holdMs !== undefined ? { hold_ms: planned.holdMs } : {}),
      boot_timeout_ms: c.plan.settle.boot_timeout_ms,
      hot_timeout_ms: c.plan.settle.standby_hot_timeout_ms,
    };
    let state: FaultState | undefined;
    try {
      await c.chassis.sleep(planned.spacingMs);
      const before = await c.chassis.roles();
      rec.inject = Date.now();
      if (previous) {
        previous.spanEnd = rec.inject;
        rec.spanStart = rec.inject;
      }
      c.timeline.add('harness', 'fault.inject', {
        kind: planned.kind,
        active: before.active ?? null,
      });
      line('injecting');
      state = await fault.inject(c.chassis, timing);
      // The fault's times count from its first action on the chassis, not from the decision to inject.
      const acted = c.timeline
        .all()
        .find((e) => e.iteration === rec.index && e.ts >= rec.inject! && ACTIONS.has(e.kind));
      if (acted) rec.inject = acted.ts;
      const slot = (name: string) => c.chassis.daemons.get(name)?.board.slot ?? 0;
      rec.target = {
        board: state.target,
        slot: slot(state.target),
        wasActive: state.target === before.active,
      };
      rec.heal = Date.now();
      c.timeline.add('harness', 'fault.heal', { kind: planned.kind, target: state.target });
      line('healing');
      await fault.heal(c.chassis, state, timing);
      rec.resyncDone = Date.now();
      c.timeline.add('harness', 'fault.healed', { kind: planned.kind });
      tally.done++;
    } catch (err) {
      if (c.signal.aborted) {
        rec.error = { code: 'RUN_INTERRUPTED', message: 'interrupted (Ctrl-C) during this fault' };
        throw err;
      }
      rec.error = { code: codeOf(err), message: messageOf(err) };
      c.timeline.add('harness', 'fault.error', rec.error);
      tally.errors++;
      line(`error: ${rec.error.message}`);
      // Restore the chassis before the next fault; if that fails the run cannot go on.
      await healChassis(
        c.chassis,
        { boards: [...c.chassis.daemons.values()].map((d) => d.board) },
        c.timeline,
      );
      await restartMissingDaemons(c.chassis);
      await settleOrRepair(c.chassis, c.timeline, c.plan.settle.standby_hot_timeout_ms);
    } finally {
      rec.takeover = takeoverTime(c.timeline, rec);
      rec.spanEnd = Date.now();
      previous = rec;
      c.timeline.iteration = undefined;
    }
  }
  if (c.schedule.length > 0) c.print(`[${elapsedSince(c.startedAt)}] schedule done`);
}

/**
 * Back to an active board with a hot standby before the next fault. A pair
 * that does not resync by itself (the device's failure, already recorded on
 * the iteration) is repaired by restarting every daemon but the active's, so
 * the rest of the schedule still runs; if even that fails the run ends.
 */
async function settleOrRepair(
  ch: LabChassis,
  timeline: Timeline,
  timeoutMs: number,
): Promise<void> {
  try {
    await ch.waitHot(timeoutMs);
    return;
  } catch (err) {
    if (codeOf(err) !== 'RUN_NOT_HOT') throw err;
  }
  const { active } = await ch.roles();
  const others = [...ch.daemons.keys()].filter((b) => b !== active);
  timeline.add('harness', 'chassis.repair', { restart: others, active: active ?? null });
  for (const board of others) {
    await ch.signalDaemon(board, 'KILL').catch(() => undefined);
    await ch.startDaemon(board);
  }
  await ch.waitHot(timeoutMs);
}

async function restartMissingDaemons(ch: LabChassis): Promise<void> {
  for (const s of await ch.poll()) {
    if (s.reachable && !s.running) await ch.startDaemon(s.board);
  }
}

/** When another board was first seen active after the inject. */
function takeoverTime(timeline: Timeline, rec: IterationRecord): number | undefined {
  if (rec.inject === undefined) return undefined;
  const previous = timeline
    .find('fault.inject', 'harness')
    .filter((e) => e.iteration === rec.index)[0]?.detail.active;
  const entry = timeline
    .all()
    .find(
      (e) =>
        e.ts >= rec.inject! &&
        e.kind === 'ha.role' &&
        e.detail.to === 'active' &&
        e.source !== previous,
    );
  return entry?.ts;
}
