import test from 'ava';
import fc from 'fast-check';
import {
  BLOCK_BYTES,
  decodeHello,
  directionKey,
  encodeHello,
  fillPattern,
  PatternVerifier,
  PatternWriter,
  patternBytes,
  type StreamDirection,
  verifyPattern,
} from './stream-pattern.ts';

/** Byte-at-a-time reference of the documented definition, written independently. */
function referenceByte(seed: number, direction: StreamDirection, offset: number): number {
  const mix = (x: number): number => {
    let h = x | 0;
    h ^= h >>> 16;
    h = Math.imul(h, 0x85ebca6b);
    h ^= h >>> 13;
    h = Math.imul(h, 0xc2b2ae35);
    h ^= h >>> 16;
    return h >>> 0;
  };
  const key = mix((seed >>> 0) ^ (direction === 'c2s' ? 0x2545f491 : 0x6c8e9cf5));
  const block = Math.floor(offset / 64);
  const lo = block >>> 0;
  const hi = Math.floor(block / 2 ** 32);
  let s = mix(key ^ mix(lo ^ Math.imul(hi, 0x27d4eb2f)) ^ Math.imul(hi, 0x165667b1));
  if (s === 0) s = 0x9e3779b9;
  const word = Math.floor((offset % 64) / 4);
  for (let w = 0; w <= word; w++) {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
  }
  return ((s >>> 0) >>> (8 * (offset % 4))) & 0xff;
}

const seedArb = fc.integer({ min: 0, max: 0xffffffff });
const dirArb = fc.constantFrom<StreamDirection>('c2s', 's2c');
const offsetArb = fc.oneof(
  fc.integer({ min: 0, max: 1 << 20 }),
  fc.integer({ min: 2 ** 32 - 4096, max: 2 ** 32 + 4096 }),
  fc.integer({ min: 2 ** 38 - 4096, max: 2 ** 38 + 4096 }),
);

test('matches the byte-at-a-time reference of the definition', (t) => {
  fc.assert(
    fc.property(seedArb, dirArb, offsetArb, fc.integer({ min: 0, max: 300 }), (s, d, o, n) => {
      const fast = patternBytes(s, d, o, n);
      for (let i = 0; i < n; i++) {
        if (fast[i] !== referenceByte(s, d, o + i)) return false;
      }
      return true;
    }),
  );
  t.pass();
});

test('any range equals the same slice of a larger generation (large spans cross scratch steps)', (t) => {
  const whole = patternBytes(7, 'c2s', 1000, 300_000);
  fc.assert(
    fc.property(
      fc.integer({ min: 0, max: 300_000 }),
      fc.integer({ min: 0, max: 300_000 }),
      (a, b) => {
        const [from, to] = a <= b ? [a, b] : [b, a];
        const part = patternBytes(7, 'c2s', 1000 + from, to - from);
        return Buffer.compare(part, whole.subarray(from, to)) === 0;
      },
    ),
  );
  t.pass();
});

test('directions, seeds and blocks 2^32 apart all differ', (t) => {
  const a = patternBytes(42, 'c2s', 0, 256);
  t.notDeepEqual(a, patternBytes(42, 's2c', 0, 256));
  t.notDeepEqual(a, patternBytes(43, 'c2s', 0, 256));
  const far = 2 ** 32 * BLOCK_BYTES;
  t.notDeepEqual(a, patternBytes(42, 'c2s', far, 256));
  t.not(directionKey(1, 'c2s'), directionKey(1, 's2c'));
});

test('verify accepts the pattern and reports the first wrong byte with its offset', (t) => {
  fc.assert(
    fc.property(
      seedArb,
      dirArb,
      offsetArb,
      fc.integer({ min: 1, max: 200_000 }),
      fc.nat(),
      fc.integer({ min: 1, max: 255 }),
      (s, d, o, n, at, flip) => {
        const data = patternBytes(s, d, o, n);
        if (verifyPattern(s, d, o, data) !== null) return false;
        const i = at % n;
        const expected = data[i]!;
        data[i] = expected ^ flip;
        if (i + 1 < n) data[n - 1] = data[n - 1]! ^ 0xff; // a later error must not hide the first
        const m = verifyPattern(s, d, o, data);
        return m !== null && m.offset === o + i && m.expected === expected && m.actual === data[i];
      },
    ),
    { numRuns: 200 },
  );
  t.pass();
});

test('a stream shifted by one byte is caught at its start', (t) => {
  const data = patternBytes(9, 's2c', 1, 4096);
  const m = verifyPattern(9, 's2c', 0, data);
  t.truthy(m);
  t.true(m!.offset < 8);
});

test('writer and verifier agree over arbitrary chunking', (t) => {
  fc.assert(
    fc.property(
      seedArb,
      fc.array(fc.integer({ min: 0, max: 5000 }), { maxLength: 30 }),
      (s, sizes) => {
        const w = new PatternWriter(s, 'c2s');
        const v = new PatternVerifier(s, 'c2s');
        for (const n of sizes) if (v.push(w.next(n)) !== null) return false;
        return v.offset === w.offset && v.offset === sizes.reduce((a, b) => a + b, 0);
      },
    ),
  );
  t.pass();
});

test('verifier keeps the first mismatch and stops advancing', (t) => {
  const v = new PatternVerifier(5, 'c2s');
  t.is(v.push(patternBytes(5, 'c2s', 0, 100)), null);
  const bad = patternBytes(5, 'c2s', 100, 100);
  bad[30] = bad[30]! ^ 1;
  const m = v.push(bad);
  t.is(m?.offset, 130);
  t.is(v.push(patternBytes(5, 'c2s', 200, 10))?.offset, 130);
  t.is(v.offset, 100);
});

test('fillPattern writes into a subarray at any alignment', (t) => {
  const buf = new Uint8Array(1003);
  fillPattern(3, 's2c', 77, buf.subarray(3));
  t.deepEqual(buf.subarray(3), patternBytes(3, 's2c', 77, 1000));
  t.deepEqual(buf.subarray(0, 3), new Uint8Array(3));
});

test('rejects negative and unsafe offsets', (t) => {
  t.throws(() => patternBytes(1, 'c2s', -1, 1), { instanceOf: RangeError });
  t.throws(() => verifyPattern(1, 'c2s', 2 ** 53, new Uint8Array(1)), { instanceOf: RangeError });
});

test('hello round-trips every seed and refuses bad input', (t) => {
  fc.assert(
    fc.property(seedArb, (s) => {
      const r = decodeHello(encodeHello(s));
      return r.ok && r.seed === s;
    }),
  );
  t.false(decodeHello(new Uint8Array(7)).ok);
  const bad = encodeHello(1);
  bad[0] = 0;
  const r = decodeHello(bad);
  t.false(r.ok);
  if (!r.ok) t.regex(r.reason, /magic/);
});
