import test from 'ava';
import { type Clock, DeadlineTimer, ManualClock, type Scheduler } from './clock.ts';

test('one timer, kept at the earliest deadline asked for', (t) => {
  const clock = new ManualClock(100);
  const fired: number[] = [];
  const timer = new DeadlineTimer(clock, clock, (now) => fired.push(now));
  timer.arm(150);
  timer.arm(200); // later: the armed earlier timer stays
  t.is(timer.deadline, 150);
  t.is(clock.pending(), 1);
  timer.arm(120); // earlier: re-armed
  t.is(timer.deadline, 120);
  t.is(clock.pending(), 1);
  timer.arm(-1); // nothing due: no change
  clock.advance(100);
  t.deepEqual(fired, [120]);
  t.is(timer.deadline, -1);
  t.is(clock.pending(), 0);
});

test('a scheduler that fires early never hands the engine a time before the deadline', (t) => {
  let now = 0;
  const clock: Clock = { now: () => now };
  const queue: (() => void)[] = [];
  // Fires whenever the test says, regardless of the delay asked for.
  const eager: Scheduler = {
    schedule: (_ms, fn) => queue.push(fn),
    cancel: () => {},
  };
  const fired: number[] = [];
  const timer = new DeadlineTimer(clock, eager, (n) => fired.push(n));
  timer.arm(10);
  now = 9;
  queue.shift()!();
  t.deepEqual(fired, [], 'early: re-armed instead of firing');
  t.is(timer.deadline, 10);
  now = 10;
  queue.shift()!();
  t.deepEqual(fired, [10]);
});

test('cancel stops a pending timer; ManualClock runs timers in deadline order', (t) => {
  const clock = new ManualClock();
  const order: string[] = [];
  const h = clock.schedule(5, () => order.push('cancelled'));
  clock.schedule(7, () => order.push('b'));
  clock.schedule(3, () => {
    order.push('a');
    clock.schedule(1, () => order.push('a+1'));
  });
  clock.schedule(7, () => order.push('c'));
  clock.cancel(h);
  clock.advance(10);
  t.deepEqual(order, ['a', 'a+1', 'b', 'c']);
  t.is(clock.now(), 10);
});
