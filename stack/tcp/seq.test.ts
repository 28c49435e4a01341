import test from 'ava';
import fc from 'fast-check';
import { seqAdd, seqDiff, seqGe, seqGt, seqInRange, seqLe, seqLt, seqMax } from './seq.ts';

const near = fc.oneof(
  fc.integer({ min: 0, max: 0xffffffff }),
  fc.integer({ min: 0xffffffff - 70000, max: 0xffffffff }),
  fc.integer({ min: 0, max: 70000 }),
);
const delta = fc.integer({ min: 1, max: 2 ** 31 - 1 });

test('a + d is after a for 0 < d < 2^31, across the wrap', (t) => {
  fc.assert(
    fc.property(near, delta, (a, d) => {
      const b = seqAdd(a, d);
      return seqLt(a, b) && seqGt(b, a) && seqLe(a, b) && !seqGe(a, b) && seqDiff(b, a) === d;
    }),
  );
  t.pass();
});

test('seqAdd normalises to unsigned 32 bits and inverts with a negative delta', (t) => {
  fc.assert(
    fc.property(near, fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }), (a, d) => {
      const b = seqAdd(a, d);
      return b >= 0 && b <= 0xffffffff && Number.isInteger(b) && seqAdd(b, -d) === a;
    }),
  );
  t.is(seqAdd(0xffffffff, 1), 0);
  t.is(seqAdd(0, -1), 0xffffffff);
});

test('range test: lo <= x < lo + w exactly for offsets below w', (t) => {
  fc.assert(
    fc.property(
      near,
      fc.integer({ min: 1, max: 2 ** 30 }),
      fc.integer({ min: 0, max: 2 ** 31 - 1 }),
      (lo, w, off) => {
        const x = seqAdd(lo, off);
        return seqInRange(x, lo, seqAdd(lo, w)) === off < w;
      },
    ),
  );
  t.is(seqMax(0xfffffff0, 5), 5);
});
