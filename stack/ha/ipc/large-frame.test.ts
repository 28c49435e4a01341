/**
 * A frame far larger than one read (a bulk-sync snapshot with full buffers) arriving in small
 * reads is joined once, not once per read: a 4 MiB frame in 64-byte reads decodes in well under
 * the test's time limit (joining per read would copy ~130 GB).
 */
import test from 'ava';
import { FrameDecoder } from './decoder.ts';
import { DEFAULT_MAX_PAYLOAD, encodeFrame, RecordType } from './frame.ts';

test('a 4 MiB frame in 64-byte reads, followed by a small one, straddling', (t) => {
  t.timeout(20_000);
  const key = new Uint8Array(32).fill(5);
  const big = new Uint8Array(DEFAULT_MAX_PAYLOAD);
  for (let i = 0; i < big.length; i++) big[i] = (i * 31) & 0xff;
  const small = Uint8Array.of(1, 2, 3);
  const a = encodeFrame(RecordType.log, 0, big, key);
  const b = encodeFrame(RecordType.log, 1, small, key);
  const stream = new Uint8Array(a.length + b.length);
  stream.set(a);
  stream.set(b, a.length);
  const dec = new FrameDecoder({ key });
  const frames = [];
  let maxBuffered = 0;
  for (let at = 0; at < stream.length; at += 64) {
    const r = dec.push(stream.subarray(at, at + 64));
    t.is(r.error, undefined);
    frames.push(...r.frames);
    maxBuffered = Math.max(maxBuffered, dec.buffered);
  }
  t.is(frames.length, 2);
  t.deepEqual(frames[0]!.payload, big);
  t.deepEqual(frames[1]!.payload, small);
  t.is(dec.buffered, 0);
  t.true(maxBuffered <= a.length);
});
