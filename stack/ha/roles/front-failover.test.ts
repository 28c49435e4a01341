/**
 * A pulled front cable on the active: the boards hand over (a planned switchover) when the
 * standby's own front is up, and hold on otherwise.
 */
import test from 'ava';
import { frontFailoverMs } from './front-failover.ts';
import { VirtualPair } from './virtual-pair.ts';

const cfg = { intervalMs: 10, misses: 3, alarmTimeoutMs: 100, switchoverTimeoutMs: 200 };
const debounce = frontFailoverMs(cfg.intervalMs);

const hotPair = (): VirtualPair => VirtualPair.hot(cfg);

test("the active's front cable pulled: it hands over to the standby, which becomes active", (t) => {
  const p = hotPair();
  p.frontCable(0, false);
  p.run(cfg.intervalMs + 1); // one heartbeat tells the mate
  t.is(p.node(0).status(p.now).frontLink, 'down');
  t.is(p.node(1).status(p.now).mate.frontLink, 'down');
  t.is(p.node(0).status(p.now).mate.frontLink, 'up');
  const took = p.until(() => p.node(1).role === 'active', 500) + cfg.intervalMs + 1;
  t.true(took >= debounce, `handed over after ${took} ms (debounce ${debounce} ms)`);
  t.is(p.node(0).role, 'standby');
  t.is(p.node(0).sync, 'hot');
  t.is(p.node(1).epoch, 2);
  t.like(p.actions(1, 'become-active').at(-1)!.action, { reason: 'switchover' });
  // The cable comes back: nothing moves (the new active's front is fine).
  p.frontCable(0, true);
  p.run(20 * debounce);
  t.is(p.node(1).role, 'active');
  t.deepEqual(p.dualFront, []);
});

test("the new active's cable pulled in turn: it hands back", (t) => {
  const p = hotPair();
  p.frontCable(0, false);
  p.until(() => p.node(1).role === 'active', 500);
  p.frontCable(0, true);
  p.run(5 * debounce);
  p.frontCable(1, false);
  p.until(() => p.node(0).role === 'active', 500);
  t.is(p.node(0).epoch, 3);
  t.deepEqual(p.dualFront, []);
});

test('a blip shorter than the debounce changes nothing', (t) => {
  const p = hotPair();
  p.frontCable(0, false);
  p.run(debounce - 5);
  p.frontCable(0, true);
  p.run(20 * debounce);
  t.is(p.node(0).role, 'active');
  t.is(p.node(0).epoch, 1);
});

test("the standby's front is down too: the active holds on", (t) => {
  const p = hotPair();
  p.frontCable(1, false);
  p.run(5 * debounce);
  p.frontCable(0, false);
  p.run(20 * debounce);
  t.is(p.node(0).role, 'active');
  t.is(p.node(1).role, 'standby');
  t.is(p.actions(0, 'send-switchover').length, 0);
});

test("the standby's cable pulled: nothing moves", (t) => {
  const p = hotPair();
  p.frontCable(1, false);
  p.run(20 * debounce);
  t.is(p.node(0).role, 'active');
  t.is(p.node(0).epoch, 1);
});
