import test from 'ava';
import { holeThresholdMs } from './beat-protocol.ts';
import { SendWatchdog } from './send-watchdog.ts';

test('sends every tick while the main thread checks in; stops once it has not for hangMs', (t) => {
  const dog = new SendWatchdog({ hangMs: 100, holeMs: 25 });
  t.like(dog.tick(0, 0), { send: true });
  t.like(dog.tick(10, 5), { send: true });
  t.like(dog.tick(100, 0), { send: true }, 'exactly hangMs old: still alive');
  const hung = dog.tick(110, 5);
  t.false(hung.send);
  t.deepEqual(hung.change, { kind: 'hung', sinceMs: 105 });
  t.true(dog.hung);
  t.deepEqual(dog.tick(120, 5), { send: false }, 'the hang is reported once');
  const back = dog.tick(130, 125);
  t.true(back.send);
  t.deepEqual(back.change, { kind: 'resumed', hungMs: 20 });
  t.deepEqual(back.hole, { from: 100, to: 130 }, 'the stop is a hole in the sends');
  t.false(dog.hung);
});

test('a gap between sends longer than holeMs is reported once, with its bounds', (t) => {
  const dog = new SendWatchdog({ hangMs: 500, holeMs: 25 });
  t.is(dog.tick(0, 0).hole, undefined, 'the first send ends no hole');
  t.is(dog.tick(25, 20).hole, undefined, 'exactly holeMs: no hole');
  t.deepEqual(dog.tick(51, 50).hole, { from: 25, to: 51 });
  t.is(dog.tick(61, 60).hole, undefined);
  t.is(dog.lastSent, 61);
});

test('the hole threshold leaves the mate half an interval of arrival jitter', (t) => {
  t.is(holeThresholdMs(10, 3), 25);
  t.is(holeThresholdMs(50, 6), 275);
  t.is(holeThresholdMs(10, 1), 15, 'never below 1.5 intervals (every send would be a hole)');
  t.is(holeThresholdMs(10, 2), 15);
});
