/**
 * Every fault against a model chassis: it must break what it says, aim at the
 * right board, and leave the chassis whole (power on, cables up, daemons
 * running, standby hot) after heal.
 */
import test from 'ava';
import { FAULT_KINDS } from '../plan/schema.ts';
import type { ChassisControl } from './fault.ts';
import { FAULTS } from './index.ts';

class ModelChassis implements ChassisControl {
  readonly log: string[] = [];
  powered = new Map([
    ['rp0', true],
    ['rp1', true],
  ]);
  daemon = new Map<string, 'running' | 'stopped' | 'dead'>([
    ['rp0', 'running'],
    ['rp1', 'running'],
  ]);
  cablesState = new Map<string, 'up' | 'down'>();
  active = 'rp0';

  private alive(b: string): boolean {
    return this.powered.get(b) === true && this.daemon.get(b) === 'running';
  }
  private other(b: string): string {
    return b === 'rp0' ? 'rp1' : 'rp0';
  }
  async roles() {
    const standby = this.other(this.active);
    return {
      active: this.alive(this.active) ? this.active : undefined,
      standby: this.alive(standby) ? standby : undefined,
    };
  }
  async power(board: string, action: 'on' | 'off') {
    this.log.push(`power ${board} ${action}`);
    this.powered.set(board, action === 'on');
    if (action === 'off') this.failover(board);
    else this.daemon.set(board, 'running');
  }
  async signalDaemon(board: string, signal: 'KILL' | 'STOP' | 'CONT' | 'TERM') {
    this.log.push(`signal ${board} ${signal}`);
    if (signal === 'KILL' || signal === 'TERM') this.daemon.set(board, 'dead');
    if (signal === 'STOP') this.daemon.set(board, 'stopped');
    if (signal === 'CONT') this.daemon.set(board, 'running');
    if (signal !== 'CONT') this.failover(board);
  }
  async startDaemon(board: string) {
    this.log.push(`start ${board}`);
    this.daemon.set(board, 'running');
  }
  cables(board: string) {
    return { front: `${board}-front`, ipc: 'ipc' };
  }
  async link(cable: string, state: 'up' | 'down') {
    this.log.push(`link ${cable} ${state}`);
    this.cablesState.set(cable, state);
  }
  async switchover(board: string) {
    this.log.push(`switchover ${board}`);
    this.active = this.other(board);
  }
  async waitBooted(board: string) {
    if (!this.powered.get(board)) throw new Error(`${board} is off`);
  }
  /** Outcomes the next startAndKillInBulkSync calls return (then in-sync). */
  bulkOutcomes: Array<'in-sync' | 'hot-first'> = [];
  async startAndKillInBulkSync(board: string) {
    this.log.push(`start ${board}`);
    this.log.push(`signal ${board} KILL`);
    this.daemon.set(board, 'dead');
    return this.bulkOutcomes.shift() ?? 'in-sync';
  }
  async waitHot() {
    const { active, standby } = await this.roles();
    if (!active || !standby) throw new Error('chassis not whole');
  }
  async waitTakeover(previous: string) {
    if (this.active === previous) throw new Error('no takeover');
    return this.active;
  }
  async sleep() {}
  mark(kind: string) {
    this.log.push(`mark ${kind}`);
  }
  private failover(board: string) {
    if (board === this.active) this.active = this.other(board);
  }
}

const timing = { hold_ms: 10, boot_timeout_ms: 1000, hot_timeout_ms: 1000 };

for (const kind of FAULT_KINDS) {
  test(`${kind}: injects, then heals to a whole chassis`, async (t) => {
    const chassis = new ModelChassis();
    const fault = FAULTS[kind];
    t.is(fault.kind, kind);
    const state = await fault.inject(chassis, timing);
    t.true(chassis.log.length > 0, 'the fault did something');
    await fault.heal(chassis, state, timing);
    t.true([...chassis.powered.values()].every(Boolean), 'power restored');
    t.true(
      [...chassis.daemon.values()].every((d) => d === 'running'),
      'daemons running',
    );
    t.true(
      [...chassis.cablesState.values()].every((c) => c === 'up'),
      'cables up',
    );
    const roles = await chassis.roles();
    t.truthy(roles.active && roles.standby);
  });
}

test('faults aim at the right board', async (t) => {
  const aim = async (kind: (typeof FAULT_KINDS)[number]) => {
    const chassis = new ModelChassis();
    const state = await FAULTS[kind].inject(chassis, timing);
    return { state, log: chassis.log };
  };
  t.deepEqual((await aim('kill-active')).log, ['signal rp0 KILL']);
  t.deepEqual((await aim('power-off-active')).log, ['power rp0 off']);
  t.deepEqual((await aim('reboot-standby')).log, ['power rp1 off']);
  t.deepEqual((await aim('pull-ipc-cable')).log, ['link ipc down']);
  t.deepEqual((await aim('pull-front-cable-active')).log, ['link rp0-front down']);
  t.deepEqual((await aim('double-fault')).log, ['link ipc down', 'power rp0 off']);
  t.deepEqual((await aim('kill-standby-during-bulk-sync')).log, [
    'signal rp1 KILL',
    'start rp1',
    'signal rp1 KILL',
  ]);
  t.is(FAULTS['double-fault'].expected, 'degraded');
  t.is(FAULT_KINDS.filter((k) => FAULTS[k].expected === 'degraded').length, 1);
});

test('a fault with no active board to aim at fails clearly', async (t) => {
  const chassis = new ModelChassis();
  chassis.powered.set('rp0', false);
  chassis.powered.set('rp1', false);
  await t.throwsAsync(FAULTS['kill-active'].inject(chassis, timing), {
    message: /no active board/,
  });
});

test('kill-standby-during-bulk-sync tries again when the standby was hot first, and says when it never hit', async (t) => {
  const again = new ModelChassis();
  again.bulkOutcomes = ['hot-first'];
  const state = await FAULTS['kill-standby-during-bulk-sync'].inject(again, timing);
  t.deepEqual(state.killed, ['rp1']);
  t.is(again.log.filter((l) => l === 'start rp1').length, 2);
  const never = new ModelChassis();
  never.bulkOutcomes = ['hot-first', 'hot-first', 'hot-first'];
  await t.throwsAsync(FAULTS['kill-standby-during-bulk-sync'].inject(never, timing), {
    message: /turned hot before the kill landed, 3 times/,
  });
});
