import test from 'ava';
import type { TcpSegment } from '../../tcp/api.ts';
import { OverheardInput } from './overheard-input.ts';

const segment = (seq: number, payload: Uint8Array = new Uint8Array(0)): TcpSegment => ({
  srcPort: 40000,
  dstPort: 7,
  seq,
  ack: 1,
  flags: 0x18,
  window: 65535,
  urgent: 0,
  options: {},
  payload,
});

test('keeps a copy of what it overhears, oldest first, and forgets it once taken', (t) => {
  const o = new OverheardInput({ maxAgeMs: 100 });
  const buf = Buffer.from('abc');
  o.keep(1, 2, segment(10, buf), 0);
  o.keep(1, 2, segment(13), 5);
  buf.fill(0); // the link may reuse its buffers
  const got = o.take(50);
  t.deepEqual(
    got.map((g) => g.segment.seq),
    [10, 13],
  );
  t.is(Buffer.from(got[0]!.segment.payload).toString(), 'abc');
  t.is(o.size, 0);
  t.deepEqual(o.take(60), []);
  t.like(o.stats, { kept: 2, replayed: 2 });
});

test('segments older than the age bound are not fed to a takeover', (t) => {
  const o = new OverheardInput({ maxAgeMs: 100 });
  o.keep(1, 2, segment(1), 0);
  o.keep(1, 2, segment(2), 60);
  o.keep(1, 2, segment(3), 150);
  t.deepEqual(
    o.take(155).map((g) => g.segment.seq),
    [2, 3],
  );
  t.is(o.stats.expired, 1);
});

test('past the segment or byte bound the oldest go first', (t) => {
  const bySegments = new OverheardInput({ maxAgeMs: 1000, maxSegments: 3 });
  for (let i = 0; i < 5; i++) bySegments.keep(1, 2, segment(i), i);
  t.deepEqual(
    bySegments.take(10).map((g) => g.segment.seq),
    [2, 3, 4],
  );
  t.is(bySegments.stats.dropped, 2);

  const byBytes = new OverheardInput({ maxAgeMs: 1000, maxPayloadBytes: 2500 });
  for (let i = 0; i < 4; i++) byBytes.keep(1, 2, segment(i, new Uint8Array(1000)), i);
  t.deepEqual(
    byBytes.take(10).map((g) => g.segment.seq),
    [2, 3],
  );
});

test('a long run stays bounded (the ring compacts as it goes)', (t) => {
  const o = new OverheardInput({ maxAgeMs: 10 });
  for (let i = 0; i < 20_000; i++) o.keep(1, 2, segment(i), i);
  t.true(o.size <= 11);
  t.deepEqual(o.take(19_999)[0]?.segment.seq, 19_989);
});
