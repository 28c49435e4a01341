import test from 'ava';
import { mayTakeOver } from './takeover-rule.ts';
import { VirtualPair } from './virtual-pair.ts';

const cfg = { intervalMs: 10, misses: 3, alarmTimeoutMs: 100, switchoverTimeoutMs: 200 };
const detection = cfg.intervalMs * cfg.misses;

const hotPair = (): VirtualPair => VirtualPair.hot(cfg);

test('both booting: the lower slot becomes active, the other standby, then hot', (t) => {
  const p = hotPair();
  t.is(p.node(0).role, 'active');
  t.is(p.node(1).role, 'standby');
  t.is(p.node(0).epoch, 1);
  t.is(p.node(1).epoch, 1);
  t.true(p.node(0).front);
  t.false(p.node(1).front);
  t.true(p.node(0).commitWait);
  t.deepEqual(p.dualFront, []);
});

test('a board booting while its mate is active becomes standby, even with the lower slot', (t) => {
  const p = new VirtualPair(cfg);
  p.boot(1);
  p.until(() => p.node(1).role === 'active', 500);
  p.boot(0);
  p.until(() => p.node(0).role !== 'booting', 500);
  t.is(p.node(0).role, 'standby');
  t.is(p.node(1).role, 'active');
  p.until(() => p.node(0).sync === 'hot', 200);
  t.is(p.actions(0, 'become-active').length, 0);
  t.deepEqual(p.dualFront, []);
});

test('the active holds output for confirmations from the start of a bulk sync, not only once hot', (t) => {
  const p = new VirtualPair(cfg);
  p.boot(0);
  p.until(() => p.node(0).role === 'active', 500);
  t.false(p.node(0).commitWait);
  p.boot(1);
  p.until(() => p.node(0).sync === 'syncing', 500);
  t.true(p.node(0).commitWait);
  p.until(() => p.node(0).sync === 'hot', 500);
  t.true(p.node(0).commitWait);
});

test('a board alone becomes active after the listen period', (t) => {
  const p = new VirtualPair(cfg);
  p.boot(1);
  const took = p.until(() => p.node(1).role === 'active', 500);
  t.true(took >= 2 * detection, `listened ${took} ms`);
  t.is(p.node(1).sync, 'cold');
  t.false(p.node(1).commitWait);
});

test('IPC loss alone: standby disconnected, no takeover; alarm; IPC back -> bulk sync -> hot', (t) => {
  const p = hotPair();
  p.links.ipc = false;
  p.run(10 * detection);
  t.is(p.node(1).role, 'standby');
  t.is(p.node(1).sync, 'disconnected');
  t.is(p.node(0).role, 'active');
  t.is(p.node(0).alarm, 'ipc lost');
  t.is(p.actions(1, 'become-active').length, 0);
  t.is(p.actions(0, 'alarm').length, 1);
  // The active held outputs for the alarm timeout, then stopped waiting.
  const raised = p.actions(0, 'alarm')[0]!.at;
  const released = p
    .actions(0, 'commit-wait')
    .find((e) => e.action.kind === 'commit-wait' && !e.action.wait);
  t.truthy(released);
  t.true(
    released!.at - raised >= cfg.alarmTimeoutMs && released!.at - raised <= cfg.alarmTimeoutMs + 2,
  );
  p.links.ipc = true;
  p.until(() => p.node(1).sync === 'hot' && p.node(0).sync === 'hot', 500);
  t.is(p.node(0).alarm, null);
  t.true(p.node(0).commitWait);
  t.deepEqual(p.dualFront, []);
});

test('IPC loss then LAN loss after the alarm timeout: the disconnected standby does not take over', (t) => {
  const p = hotPair();
  p.links.ipc = false;
  p.run(cfg.alarmTimeoutMs + 5 * detection);
  p.kill(0);
  p.run(10 * detection);
  t.is(p.node(1).role, 'standby');
  t.is(p.actions(1, 'become-active').length, 0);
});

test('after a double fault the rebooted board is elected active and the survivor becomes hot', (t) => {
  // The survivor (standby, not hot) asked for a bulk sync while its mate was still booting;
  // a new active (a higher epoch) must be asked again, or the pair stays cold for good.
  const p = hotPair();
  p.links.ipc = false;
  p.run(cfg.alarmTimeoutMs + 5 * detection);
  p.kill(0);
  p.run(10 * detection);
  t.is(p.node(1).role, 'standby');
  p.links.ipc = true;
  p.boot(0);
  p.until(() => p.node(0).role === 'active', 500);
  p.until(() => p.node(1).sync === 'hot' && p.node(0).sync === 'hot', 500);
  t.is(p.node(1).role, 'standby');
  t.deepEqual(p.dualFront, []);
});

test('active dies shortly after IPC loss (active still holding outputs): takeover allowed', (t) => {
  const p = hotPair();
  p.links.ipc = false;
  p.run(detection + 5);
  t.is(p.node(1).sync, 'disconnected');
  p.kill(0);
  p.until(() => p.node(1).role === 'active', 10 * detection);
  t.is(p.node(1).epoch, 2);
});

test('both paths silent (active killed): takeover with epoch + 1 within the detection time', (t) => {
  const p = hotPair();
  const epoch = p.node(1).epoch;
  p.kill(0);
  const took = p.until(() => p.node(1).role === 'active', 10 * detection);
  t.true(took <= detection + cfg.intervalMs + 2, `took ${took} ms`);
  t.is(p.node(1).epoch, epoch + 1);
  t.true(p.node(1).front);
  const act = p.actions(1, 'become-active')[0]!.action;
  t.like(act, { kind: 'become-active', reason: 'takeover', epoch: epoch + 1 });
});

test('a standby that is not hot never takes over', (t) => {
  const p = new VirtualPair(cfg);
  p.boot(0);
  p.boot(1);
  p.until(() => p.node(1).role === 'standby', 500);
  t.not(p.node(1).sync, 'hot');
  p.kill(0);
  p.run(20 * detection);
  t.is(p.node(1).role, 'standby');
  t.truthy(
    p.actions(1, 'log').find((e) => e.action.kind === 'log' && /not hot/.test(e.action.event.msg)),
  );
});

test('frozen active resumes, sees the higher epoch and stays silent on the front', (t) => {
  const p = hotPair();
  p.freeze(0, true);
  p.run(5 * detection);
  t.is(p.node(1).role, 'active');
  t.is(p.node(1).epoch, 2);
  const resumedAt = p.now;
  p.freeze(0, false);
  p.until(() => p.node(0).role === 'standby', 5 * detection);
  t.false(p.node(0).front);
  // From its first input after resume on, the old active never had its front open.
  const after = p.frontTrace.filter((f) => f.slot === 0 && f.at >= resumedAt);
  t.true(after.length > 0);
  t.false(after.some((f) => f.front));
  t.like(p.actions(0, 'become-standby').at(-1)!.action, { reason: 'stepped-down', epoch: 2 });
  t.deepEqual(p.dualFront, []);
  // It rejoins: bulk sync, hot; then a takeover the other way works again.
  p.until(() => p.node(0).sync === 'hot', 500);
  p.kill(1);
  p.until(() => p.node(0).role === 'active', 10 * detection);
  t.is(p.node(0).epoch, 3);
});

test('partitioned at boot, both active with epoch 1: when healed the higher slot steps down', (t) => {
  const p = new VirtualPair(cfg);
  p.links.ipc = false;
  p.links.lan = false;
  p.boot(0);
  p.boot(1);
  p.until(() => p.node(0).role === 'active' && p.node(1).role === 'active', 500);
  p.links.ipc = true;
  p.links.lan = true;
  p.until(() => p.node(1).role === 'standby', 100);
  t.is(p.node(0).role, 'active');
  t.like(p.actions(1, 'become-standby')[0]!.action, { reason: 'stepped-down' });
});

test('restarted board rejoins as standby, becomes hot, and takeovers alternate', (t) => {
  const p = hotPair();
  for (let round = 0; round < 4; round++) {
    const active = p.node(0).role === 'active' ? 0 : 1;
    const standby = 1 - active;
    const epoch = p.node(active).epoch;
    p.kill(active);
    p.until(() => p.node(standby).role === 'active', 10 * detection);
    t.is(p.node(standby).epoch, epoch + 1);
    p.boot(active);
    p.until(() => p.node(active).role === 'standby' && p.node(active).sync === 'hot', 500);
  }
  t.deepEqual(p.dualFront, []);
});

test('active process killed (IPC reset at once, LAN silent later): takeover', (t) => {
  const p = hotPair();
  p.kill(0, true);
  p.until(() => p.node(1).role === 'active', 10 * detection);
  t.is(p.node(1).epoch, 2);
  t.like(p.actions(1, 'become-active')[0]!.action, { reason: 'takeover' });
});

test('frozen standby resumes: it does not take over and the active keeps its role', (t) => {
  const p = hotPair();
  p.freeze(1, true);
  p.run(5 * detection);
  t.is(p.node(0).role, 'active');
  p.freeze(1, false);
  p.run(10 * detection);
  t.is(p.actions(1, 'become-active').length, 0);
  t.is(p.node(0).role, 'active');
  t.is(p.node(0).epoch, 1);
  t.is(p.node(1).role, 'standby');
  p.until(() => p.node(1).sync === 'hot' && p.node(0).sync === 'hot', 500);
  t.deepEqual(p.dualFront, []);
});

test('takeover rule: hot, or disconnected from hot with the LAN lost within the alarm timeout', (t) => {
  const base = { disconnectedFromHot: false, alarmTimeoutMs: 100 };
  t.true(mayTakeOver({ ...base, sync: 'hot' }, undefined, undefined));
  t.false(mayTakeOver({ ...base, sync: 'syncing' }, 0, 10));
  t.false(mayTakeOver({ ...base, sync: 'disconnected' }, 0, 10), 'never hot');
  const fromHot = { ...base, sync: 'disconnected' as const, disconnectedFromHot: true };
  t.true(mayTakeOver(fromHot, 0, 99));
  t.false(mayTakeOver(fromHot, 0, 100));
  t.false(mayTakeOver(fromHot, undefined, 50));
});
