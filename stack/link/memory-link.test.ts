import test from 'ava';
import { MemoryLink, type MemoryLinkOptions } from './memory-link.ts';
import { VirtualClock } from './scheduler.ts';

function run(options: MemoryLinkOptions, count: number) {
  const clock = new VirtualClock();
  const [a, b] = MemoryLink.pair({ ...options, scheduler: clock });
  const received: number[] = [];
  const times: number[] = [];
  b.onFrames((frames) => {
    for (const f of frames) {
      received.push(f[0]! | (f[1]! << 8));
      times.push(clock.now());
    }
  });
  for (let i = 0; i < count; i++) {
    clock.advance(i);
    a.send(new Uint8Array([i & 0xff, i >> 8, 0, 0]));
  }
  clock.runUntilIdle();
  return { received, times, stats: a.stats };
}

test('delivery waits for the virtual clock, with the configured delay', (t) => {
  const clock = new VirtualClock(1000);
  const [a, b] = MemoryLink.pair({ delayMs: 5, scheduler: clock });
  const got: Uint8Array[] = [];
  b.onFrames((f) => got.push(...f));
  const frame = new Uint8Array([1, 2, 3]);
  a.send(frame);
  frame[0] = 9; // the link copied the frame
  clock.advance(1004);
  t.is(got.length, 0);
  clock.advance(1005);
  t.deepEqual(got, [new Uint8Array([1, 2, 3])]);
  // and the other direction
  const back: Uint8Array[] = [];
  a.onFrames((f) => back.push(...f));
  b.send(new Uint8Array([4]));
  clock.advance(1010);
  t.is(back.length, 1);
});

test('a clean link delivers everything in order', (t) => {
  const { received, stats } = run({ delayMs: 3, jitterMs: 0 }, 500);
  t.deepEqual(received, [...Array(500).keys()]);
  t.like(stats, { sent: 500, lost: 0 });
});

test('faults follow their probabilities and the seed', (t) => {
  const opts = { seed: 7, loss: 0.1, duplicate: 0.05, reorder: 0.1, delayMs: 2, jitterMs: 4 };
  const one = run(opts, 5000);
  const two = run(opts, 5000);
  t.deepEqual(one.received, two.received, 'same seed, same deliveries');
  t.deepEqual(one.times, two.times);
  const other = run({ ...opts, seed: 8 }, 5000);
  t.notDeepEqual(one.received, other.received);
  t.true(one.stats.lost > 400 && one.stats.lost < 600, `lost ${one.stats.lost}`);
  t.true(one.stats.duplicated > 150 && one.stats.duplicated < 350, `dup ${one.stats.duplicated}`);
  t.is(one.received.length, 5000 - one.stats.lost + one.stats.duplicated);
  let inversions = 0;
  for (let i = 1; i < one.received.length; i++)
    if (one.received[i]! < one.received[i - 1]!) inversions++;
  t.true(inversions > 100, `reordered: ${inversions} inversions`);
});

test('corruption flips bytes; a cut cable loses everything until restored', (t) => {
  const clock = new VirtualClock();
  const [a, b] = MemoryLink.pair({ seed: 3, corrupt: 1, scheduler: clock });
  const got: Uint8Array[] = [];
  b.onFrames((f) => got.push(...f));
  a.send(new Uint8Array(8));
  clock.advance(1);
  t.true(got[0]!.some((x) => x !== 0));
  a.setFaults({ corrupt: 0 });
  a.setConnected(false);
  a.send(new Uint8Array(8));
  b.send(new Uint8Array(8));
  clock.advance(2);
  t.is(got.length, 1);
  a.setConnected(true);
  a.send(new Uint8Array(8));
  clock.advance(3);
  t.is(got.length, 2);
  t.deepEqual(got[1], new Uint8Array(8));
});

test('same-time events run in the order scheduled', (t) => {
  const clock = new VirtualClock();
  const order: string[] = [];
  clock.at(5, () => order.push('a'));
  clock.at(3, () => {
    order.push('b');
    clock.at(5, () => order.push('c'));
  });
  clock.at(5, () => order.push('d'));
  clock.advance(10);
  t.deepEqual(order, ['b', 'a', 'd', 'c']);
  t.is(clock.now(), 10);
});
