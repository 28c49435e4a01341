import test from 'ava';
import { VirtualPair } from './virtual-pair.ts';

const cfg = { intervalMs: 10, misses: 3, alarmTimeoutMs: 100, switchoverTimeoutMs: 200 };

const hotPair = (): VirtualPair => VirtualPair.hot(cfg);

test('planned switchover swaps roles with epoch + 1, both directions, repeatedly', (t) => {
  const p = hotPair();
  for (let round = 0; round < 4; round++) {
    const active = p.node(0).role === 'active' ? 0 : 1;
    const standby = 1 - active;
    const epoch = p.node(active).epoch;
    // Either board may be asked.
    p.requestSwitchover(round % 2 === 0 ? active : standby);
    p.until(() => p.node(standby).role === 'active' && !p.node(active).handover, 100);
    t.is(p.node(standby).epoch, epoch + 1);
    t.is(p.node(active).epoch, epoch + 1);
    t.is(p.node(active).role, 'standby');
    t.is(p.node(active).sync, 'hot');
    t.like(p.actions(standby, 'become-active').at(-1)!.action, { reason: 'switchover' });
    p.run(50);
    t.true(p.node(standby).commitWait, 'new active waits for its hot standby');
  }
  t.deepEqual(p.dualFront, []);
  t.is(
    p
      .actions(0, 'become-standby')
      .filter((e) => e.action.kind === 'become-standby' && e.action.reason === 'stepped-down')
      .length,
    0,
  );
});

test('inputs are paused during the drain and resumed after', (t) => {
  const p = hotPair();
  p.requestSwitchover(0);
  p.until(() => p.node(1).role === 'active' && !p.node(0).handover, 100);
  const pauses = p
    .actions(0, 'pause-inputs')
    .map((e) => (e.action.kind === 'pause-inputs' ? e.action.paused : null));
  t.deepEqual(pauses, [true, false]);
});

test('switchover refused when the standby is not hot', (t) => {
  const p = new VirtualPair(cfg);
  p.boot(0);
  p.boot(1);
  p.until(() => p.node(1).role === 'standby', 500);
  p.links.ipc = false;
  p.run(100);
  p.requestSwitchover(0);
  p.run(100);
  t.is(p.node(0).role, 'active');
  t.is(p.node(1).role, 'standby');
  t.is(p.actions(0, 'pause-inputs').length, 0);
});

test('hand-over without an answer times out and the old active resumes', (t) => {
  const p = hotPair();
  p.requestSwitchover(0);
  // Cut both paths right after the drain: the commit never arrives.
  p.run(2);
  p.links.ipc = false;
  p.links.lan = false;
  p.run(cfg.switchoverTimeoutMs + 20);
  t.is(p.node(0).role, 'active');
  t.true(p.node(0).front);
  t.is(p.node(0).epoch, 1);
});

test('a prepare from an older epoch, arriving after the commit, does not hand mastership back', (t) => {
  const p = hotPair();
  p.requestSwitchover(0);
  p.until(() => p.node(1).role === 'active' && !p.node(0).handover, 100);
  const node = p.node(1);
  const epoch = node.epoch;
  // The old active's prepare (its epoch) reaches the new active late.
  const acts = node.handle({ kind: 'switchover', phase: 'prepare', epoch: epoch - 1, now: p.now });
  t.false(
    acts.some((a) => a.kind === 'send-switchover' || a.kind === 'pause-inputs'),
    'no drain started',
  );
  t.is(node.handover, undefined);
  t.is(node.role, 'active');
  // A prepare of this term still starts a switchover (the standby asking for one).
  const now = node.handle({ kind: 'switchover', phase: 'prepare', epoch, now: p.now });
  t.true(now.some((a) => a.kind === 'send-switchover' && a.phase === 'prepare'));
});
