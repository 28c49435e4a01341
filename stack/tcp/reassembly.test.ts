import test from 'ava';
import fc from 'fast-check';
import { Reassembly } from './reassembly.ts';
import { SendQueue } from './send-queue.ts';
import { seqAdd } from './seq.ts';

const base = fc.oneof(
  fc.constant(0xffffff00),
  fc.constant(0xfffffff0),
  fc.integer({ min: 0, max: 0xffffffff }),
);

test('reassembly: pieces in any order, overlapping and duplicated, yield the exact stream', (t) => {
  fc.assert(
    fc.property(
      base,
      fc.integer({ min: 1, max: 3000 }),
      fc.array(fc.tuple(fc.nat(2999), fc.integer({ min: 1, max: 400 })), {
        minLength: 1,
        maxLength: 40,
      }),
      (start, len, pieces) => {
        const stream = Uint8Array.from({ length: len }, (_, i) => (i * 31 + 7) & 0xff);
        const r = new Reassembly(1 << 20);
        // Deliver everything except what starts at 0 first, then feed from the start.
        for (const [off0, n] of pieces) {
          const off = off0 % len;
          if (off === 0) continue;
          r.insert(seqAdd(start, off), stream.subarray(off, Math.min(len, off + n)));
        }
        let held = 0;
        for (const x of r.ranges) held += x.data.length;
        if (held !== r.bytes) return false;
        r.insert(start, stream.subarray(0, len));
        const out = r.takeFrom(start);
        const got = new Uint8Array(out.reduce((a, b) => a + b.length, 0));
        let p = 0;
        for (const b of out) {
          got.set(b, p);
          p += b.length;
        }
        return got.length === len && got.every((v, i) => v === stream[i]) && r.bytes === 0;
      },
    ),
  );
  t.pass();
});

test('reassembly: bounded; ranges never overlap; SACK blocks cover held data', (t) => {
  fc.assert(
    fc.property(
      base,
      fc.integer({ min: 100, max: 2000 }),
      fc.array(fc.tuple(fc.integer({ min: 1, max: 5000 }), fc.integer({ min: 1, max: 300 })), {
        maxLength: 30,
      }),
      (start, limit, pieces) => {
        const r = new Reassembly(limit);
        for (const [off, n] of pieces) r.insert(seqAdd(start, off), new Uint8Array(n));
        if (r.bytes > limit) return false;
        for (let i = 1; i < r.ranges.length; i++) {
          const a = r.ranges[i - 1]!;
          const b = r.ranges[i]!;
          if (((seqAdd(a.seq, a.data.length) - b.seq) | 0) > 0) return false;
        }
        const blocks = r.sackBlocks(100);
        const covered = blocks.reduce((s, b) => s + ((b.right - b.left) | 0), 0);
        return covered === r.bytes;
      },
    ),
  );
  t.pass();
});

test('send queue: reads at any offset equal the concatenated writes; drop keeps the tail', (t) => {
  fc.assert(
    fc.property(
      fc.array(fc.integer({ min: 0, max: 5000 }), { maxLength: 30 }),
      fc.nat(),
      fc.nat(),
      fc.nat(),
      (sizes, a, b, d) => {
        const q = new SendQueue();
        const all: number[] = [];
        let k = 0;
        for (const n of sizes) {
          const chunk = Uint8Array.from({ length: n }, () => k++ & 0xff);
          q.push(chunk);
          for (const v of chunk) all.push(v);
        }
        if (q.length !== all.length) return false;
        const drop = all.length ? d % (all.length + 1) : 0;
        q.drop(drop);
        const rest = all.slice(drop);
        if (q.length !== rest.length) return false;
        const off = rest.length ? a % rest.length : 0;
        const len = rest.length ? b % (rest.length - off + 1) : 0;
        const got = q.read(off, len);
        return (
          got.length === len &&
          got.every((v, i) => v === rest[off + i]) &&
          q.contents().every((v, i) => v === rest[i])
        );
      },
    ),
  );
  t.pass();
});

test('send queue stand-ins: any length, zeros across chunk edges, no memory of their own, real bytes put in whole', (t) => {
  const q = new SendQueue();
  q.push(new Uint8Array(3000).fill(5)); // real bytes already queued come first
  const n = 3.5 * (1 << 20);
  q.pushStandIn(n);
  t.is(q.length, 3000 + n);
  t.deepEqual([...q.read(2998, 4)], [5, 5, 0, 0]);
  const edge = q.read(3000 + (1 << 20) - 2, 4);
  t.deepEqual([...edge], [0, 0, 0, 0]);
  // Two stand-in chunks share one buffer: a queue claiming 4 GiB would hold 1 MiB.
  t.is(q.read(3000, 8).buffer, q.read(3000 + (1 << 20), 8).buffer);
  const huge = new SendQueue();
  huge.pushStandIn(0xffff_ffff);
  t.is(huge.length, 0xffff_ffff);
  huge.drop(0xffff_ff00);
  t.is(huge.length, 0xff);
  t.true(huge.read(0, 0xff).every((b) => b === 0));
  const real = Uint8Array.from({ length: q.length }, (_, i) => i & 0xff);
  q.replaceAll(real);
  t.deepEqual(q.contents(), real);
});
