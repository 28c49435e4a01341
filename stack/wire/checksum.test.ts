import test from 'ava';
import fc from 'fast-check';
import { sumWords } from './checksum.ts';
import { frameGsoSize } from './offload.ts';
import { encodeTcpFrame } from './packet.ts';

/** RFC 1071 the plain way: big-endian 16-bit words, a trailing odd byte padded with zero. */
function referenceSum(bytes: Uint8Array, start: number, end: number, sum: number): number {
  let s = sum;
  for (let i = start; i < end; i += 2) s += (bytes[i]! << 8) | (i + 1 < end ? bytes[i + 1]! : 0);
  while (s > 0xffff) s = (s & 0xffff) + (s >>> 16);
  return s;
}

test('sumWords equals the word-by-word sum for any length, offset and running sum', (t) => {
  fc.assert(
    fc.property(
      fc.uint8Array({ minLength: 0, maxLength: 3000 }),
      fc.nat(7),
      fc.nat(0xffff),
      (bytes, cut, sum) => {
        const start = Math.min(cut, bytes.length);
        const ref = referenceSum(bytes, start, bytes.length, sum);
        const got = sumWords(bytes, start, bytes.length, sum);
        // 0 and 0xffff are the same number in one's complement
        return got === ref || (got % 0xffff === 0 && ref % 0xffff === 0);
      },
    ),
    { numRuns: 400 },
  );
  const ones = new Uint8Array(70000).fill(0xff);
  t.is(sumWords(ones, 1, ones.length), referenceSum(ones, 1, ones.length, 0));
});

const header = {
  srcMac: new Uint8Array(6),
  dstMac: new Uint8Array(6),
  src: 0xc6120001,
  dst: 0xc6120002,
  ttl: 64,
  id: 1,
};
const segment = {
  srcPort: 1,
  dstPort: 2,
  seq: 0,
  ack: 0,
  flags: 0x10,
  window: 100,
  urgent: 0,
  options: {},
  payload: new Uint8Array(3000).map((_, i) => i),
};

test('a super-segment frame carries its gsoSize for the link; an ordinary one does not', (t) => {
  t.is(frameGsoSize(encodeTcpFrame(header, { ...segment, gsoSize: 1448 })), 1448);
  t.is(frameGsoSize(encodeTcpFrame(header, segment)), 0);
  // one MSS or less is an ordinary segment whatever the engine said
  t.is(frameGsoSize(encodeTcpFrame(header, { ...segment, gsoSize: 3000 })), 0);
});

test('encodeTcpFrame into a used buffer writes the same bytes as into a new one', (t) => {
  const fresh = encodeTcpFrame(header, { ...segment, gsoSize: 1448 });
  const used = new Uint8Array(fresh.length + 100).fill(0xa5);
  const into = encodeTcpFrame(header, { ...segment, gsoSize: 1448 }, used);
  t.deepEqual(into, fresh);
  t.is(into.buffer, used.buffer);
  t.is(frameGsoSize(into), frameGsoSize(fresh));
  const small = new Uint8Array(10);
  t.not(encodeTcpFrame(header, segment, small).buffer, small.buffer, 'too small: a new buffer');
});
