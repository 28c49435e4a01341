import test from 'ava';
import { ArpPending } from './arp-pending.ts';

test('frames wait per neighbour within a frame and a byte bound, and leave with its MAC', (t) => {
  const p = new ArpPending({ maxFramesPerHop: 3, maxBytesPerHop: 2500 });
  t.is(p.enqueue(7, new Uint8Array(1000), 0), 'queued-new');
  t.is(p.enqueue(7, new Uint8Array(1000), 0), 'queued');
  t.is(p.enqueue(7, new Uint8Array(1000), 0), 'full', 'past the byte bound');
  t.is(p.enqueue(7, new Uint8Array(100), 0), 'queued');
  t.is(p.enqueue(7, new Uint8Array(10), 0), 'full', 'past the frame bound');
  const out = p.resolve(7, new Uint8Array([1, 2, 3, 4, 5, 6]));
  t.deepEqual(
    out.map((f) => f.length),
    [1000, 1000, 100],
  );
  t.deepEqual([...out[2]!.subarray(0, 6)], [1, 2, 3, 4, 5, 6]);
  t.is(p.size, 0);
});

test('by default a takeover burst fits: 200 frames to one neighbour wait for its ARP answer', (t) => {
  const p = new ArpPending();
  const results = Array.from({ length: 200 }, () => p.enqueue(9, new Uint8Array(1514), 0));
  t.false(results.includes('full'));
  t.is(p.resolve(9, new Uint8Array(6)).length, 200);
});
