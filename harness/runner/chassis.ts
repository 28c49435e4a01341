/**
 * ChassisControl over the lab drivers: the faults act through it on the
 * virtual chassis and on a real one alike. Every action goes on the
 * timeline; every change of a board's role or sync state seen in a status
 * poll goes there too (source: the board). What is broken at any moment
 * (power off, cables down, daemons frozen) is tracked so the way out can
 * heal exactly that, whatever interrupted the run.
 */
import type { ChassisControl } from '../faults/fault.ts';
import type { BoardDaemon, BoardStatus } from './board-daemon.ts';
import { boardLanAddress, chassisAddress } from './daemon-config.ts';
import { RunnerError } from './errors.ts';
import type { LabAccess } from './lab-access.ts';
import type { Timeline } from './timeline.ts';

export interface ChassisOptions {
  pollMs?: number;
  /** Aborted on Ctrl-C: every wait gives up at once. */
  signal?: AbortSignal;
}

export function abortableSleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(new RunnerError('RUN_INTERRUPTED', 'interrupted'));
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(new RunnerError('RUN_INTERRUPTED', 'interrupted'));
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

export class LabChassis implements ChassisControl {
  readonly poweredOff = new Set<string>();
  readonly cablesDown = new Set<string>();
  readonly frozen = new Set<string>();
  /** Last status seen per board (role and sync changes are put on the timeline). */
  readonly last = new Map<string, BoardStatus>();
  private noHaNoted = false;
  private readonly pollMs: number;

  constructor(
    private readonly lab: LabAccess,
    readonly daemons: Map<string, BoardDaemon>,
    private readonly timeline: Timeline,
    private readonly opts: ChassisOptions = {},
  ) {
    this.pollMs = opts.pollMs ?? 100;
  }

  mark(kind: string, detail: Record<string, unknown>): void {
    this.timeline.add('harness', kind, detail);
  }

  /** While healing on the way out, waits run to their end even after Ctrl-C. */
  healing = false;

  sleep(ms: number): Promise<void> {
    return abortableSleep(ms, this.healing ? undefined : this.opts.signal);
  }

  /** Wait (up to `timeoutMs`) until a board's daemon answers; false if it never did. */
  async waitDaemon(board: string, timeoutMs: number): Promise<boolean> {
    try {
      await this.waitFor(`${board}'s daemon`, timeoutMs, async () => {
        const s = await this.observe(this.daemon(board));
        return s.running ? true : undefined;
      });
      return true;
    } catch {
      return false;
    }
  }

  private daemon(board: string): BoardDaemon {
    const d = this.daemons.get(board);
    if (!d) throw new RunnerError('RUN_LAB', `no board named ${board}`);
    return d;
  }

  /** Status of every board, now; changes go on the timeline. */
  async poll(): Promise<BoardStatus[]> {
    const all = await Promise.all([...this.daemons.values()].map((d) => this.observe(d)));
    return all;
  }

  private async observe(d: BoardDaemon): Promise<BoardStatus> {
    const name = d.board.name;
    const s = this.poweredOff.has(name)
      ? { board: name, slot: d.board.slot, reachable: false, running: false, ha: false }
      : await d.status();
    const before = this.last.get(name);
    const state = (x?: BoardStatus) =>
      !x ? 'unknown' : !x.reachable ? 'down' : !x.running ? 'no-daemon' : (x.role ?? 'unknown');
    if (state(before) !== state(s)) {
      this.timeline.add(name, 'ha.role', { from: state(before), to: state(s), epoch: s.epoch });
    }
    if (before?.sync !== s.sync && s.sync) {
      this.timeline.add(name, 'ha.sync', { from: before?.sync ?? null, to: s.sync });
    }
    this.last.set(name, s);
    return s;
  }

  async roles(): Promise<{ active?: string; standby?: string }> {
    return pickRoles(await this.poll());
  }

  async power(board: string, action: 'on' | 'off'): Promise<void> {
    this.mark('power', { board, action });
    if (action === 'off') this.poweredOff.add(board);
    await this.lab.power(board, action);
    if (action === 'on') this.poweredOff.delete(board);
  }

  async signalDaemon(board: string, signal: 'KILL' | 'STOP' | 'CONT' | 'TERM'): Promise<void> {
    const pids = await this.daemon(board).signal(signal);
    this.mark('signal', { board, signal, pids });
    if (signal === 'STOP') this.frozen.add(board);
    else this.frozen.delete(board);
  }

  async startDaemon(board: string): Promise<void> {
    this.mark('daemon.start', { board });
    await this.daemon(board).start();
    try {
      await this.waitFor(`${board}'s daemon to answer`, 20_000, async () => {
        const s = await this.observe(this.daemon(board));
        return s.running ? true : undefined;
      });
    } catch (err) {
      // A daemon that died at start says why in its log: put that in the error.
      const last = await this.daemon(board)
        .lastLogLines(3)
        .catch(() => '');
      if (last) (err as Error).message += `; last lines of its log: ${last}`;
      throw err;
    }
  }

  cables(board: string): { front: string; ipc: string } {
    return this.lab.board(board).cables;
  }

  async link(cable: string, state: 'up' | 'down'): Promise<void> {
    this.mark('link', { cable, state });
    if (state === 'down') this.cablesDown.add(cable);
    await this.lab.link(cable, state);
    if (state === 'up') this.cablesDown.delete(cable);
  }

  async switchover(board: string): Promise<void> {
    this.mark('switchover.request', { board });
    await this.daemon(board).requestSwitchover();
  }

  async waitBooted(board: string, timeoutMs: number): Promise<void> {
    const shell = this.lab.host(board);
    await this.waitFor(`${board} to boot (SSH)`, timeoutMs, async () => {
      const r = await shell.exec('true', { timeoutMs: 4000 });
      return r.code === 0 ? true : undefined;
    });
    this.mark('board.booted', { board });
    const { prefix } = chassisAddress(this.lab.lab);
    const address = boardLanAddress(this.lab.lab, this.lab.board(board).slot);
    await this.daemon(board)
      .ensureLanAddress(address, prefix)
      .catch((err: Error) =>
        this.mark('board.lan-address', { board, address, message: err.message }),
      );
  }

  async startAndKillInBulkSync(board: string, timeoutMs: number): Promise<'in-sync' | 'hot-first'> {
    this.mark('daemon.start', { board, killInBulkSync: true });
    const { outcome, pids } = await this.daemon(board).startAndKillInBulkSync(timeoutMs);
    if (outcome === 'timeout')
      throw new RunnerError(
        'RUN_TIMEOUT',
        `${board}'s daemon never brought its IPC up within ${timeoutMs} ms`,
      );
    this.mark('signal', { board, signal: 'KILL', pids, bulkSync: outcome });
    return outcome;
  }

  /**
   * An active board and a hot standby. A daemon without HA mode can never
   * have a hot standby: then both daemons answering is all there is to wait
   * for, and the timeline says once that no standby is replicating.
   */
  async waitHot(timeoutMs: number): Promise<void> {
    const started = Date.now();
    await this.deviceWait(
      'RUN_NOT_HOT',
      'an active board with a hot standby',
      () => true,
      timeoutMs,
      async () => {
        const all = await this.poll();
        if (all.every((s) => s.running && !s.ha)) {
          if (!this.noHaNoted) {
            this.noHaNoted = true;
            this.mark('ha.unavailable', {
              note: 'the daemons run without HA mode: no standby replicates, no switchover can be hitless',
            });
          }
          return true;
        }
        const { active, standby } = pickRoles(all);
        const sb = all.find((s) => s.board === standby);
        const ac = all.find((s) => s.board === active);
        return active && standby && (sb?.sync === 'hot' || (!sb?.sync && ac?.sync === 'hot'))
          ? true
          : undefined;
      },
    );
    this.mark('ha.hot', { waitedMs: Date.now() - started });
  }

  async waitTakeover(previous: string, timeoutMs: number): Promise<string> {
    const board = await this.deviceWait(
      'RUN_NO_TAKEOVER',
      `a board other than ${previous} to become active`,
      (b) => b !== previous,
      timeoutMs,
      async () => {
        const { active } = pickRoles(await this.poll());
        return active && active !== previous ? active : undefined;
      },
      // The takeover time is measured by this poll: keep it fine-grained.
      20,
    );
    this.mark('ha.takeover', { from: previous, to: board });
    return board;
  }

  /**
   * A wait on the boards' own behaviour: a timeout while the boards that had
   * to act all answer is the device's failure (code), with what each board
   * reported at the end.
   */
  private async deviceWait<T>(
    code: 'RUN_NOT_HOT' | 'RUN_NO_TAKEOVER',
    what: string,
    mustAnswer: (board: string) => boolean,
    timeoutMs: number,
    probe: () => Promise<T | undefined>,
    pollMs = this.pollMs,
  ): Promise<T> {
    try {
      return await this.waitFor(what, timeoutMs, probe, pollMs);
    } catch (err) {
      if ((err as RunnerError).code !== 'RUN_TIMEOUT') throw err;
      const all = [...this.last.values()];
      const actors = all.filter((s) => mustAnswer(s.board));
      if (actors.length === 0 || !actors.every((s) => s.reachable && s.running)) throw err;
      const boards = all.map(
        (s) => `${s.board} ${s.role ?? '?'}/${s.sync ?? '?'} epoch ${s.epoch ?? '?'}`,
      );
      throw new RunnerError(code, `${(err as Error).message} (boards: ${boards.join(', ')})`);
    }
  }

  private async waitFor<T>(
    what: string,
    timeoutMs: number,
    probe: () => Promise<T | undefined>,
    pollMs = this.pollMs,
  ): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      if (this.opts.signal?.aborted && !this.healing)
        throw new RunnerError('RUN_INTERRUPTED', 'interrupted');
      const v = await probe();
      if (v !== undefined) return v;
      if (Date.now() > deadline)
        throw new RunnerError('RUN_TIMEOUT', `timed out after ${timeoutMs} ms waiting for ${what}`);
      await this.sleep(pollMs);
    }
  }
}

/**
 * Active and standby from the boards' statuses. With HA, the roles the
 * daemons report (the highest epoch wins if two claim active). Without HA
 * every running daemon owns the address: the active one is the board that
 * carries connections, else the lower slot; the other running board stands by.
 */
export function pickRoles(all: BoardStatus[]): { active?: string; standby?: string } {
  const running = all.filter((s) => s.running);
  const claim = running
    .filter((s) => s.role === 'active')
    .sort(
      (a, b) =>
        (b.epoch ?? 0) - (a.epoch ?? 0) ||
        (b.connections ?? 0) - (a.connections ?? 0) ||
        a.slot - b.slot,
    );
  const active = claim[0]?.board;
  const standby = running.find(
    (s) => s.board !== active && (s.ha ? s.role === 'standby' : true),
  )?.board;
  return { ...(active ? { active } : {}), ...(standby ? { standby } : {}) };
}
