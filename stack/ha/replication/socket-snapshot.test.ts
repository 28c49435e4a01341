import test from 'ava';
import { ReplicationError } from './errors.ts';
import {
  decodeSocketSnapshot,
  encodeSocketSnapshot,
  type SocketSnapshot,
} from './socket-snapshot.ts';

const sample: SocketSnapshot = {
  regenerable: true,
  written: 2 ** 40 + 5,
  delivered: 1234,
  unconsumed: new Uint8Array([1, 2, 3]),
  appState: new Uint8Array([9, 8]),
  tcb: new Uint8Array(300).map((_, i) => i & 0xff),
};

test('a socket snapshot decodes to what was encoded', (t) => {
  const back = decodeSocketSnapshot(encodeSocketSnapshot(sample));
  t.deepEqual(back, sample);
  const empty = {
    ...sample,
    regenerable: false,
    unconsumed: new Uint8Array(0),
    appState: new Uint8Array(0),
  };
  t.deepEqual(decodeSocketSnapshot(encodeSocketSnapshot(empty)), empty);
});

test('what the replayer keeps does not share the frame it came in', (t) => {
  const bytes = encodeSocketSnapshot(sample);
  const back = decodeSocketSnapshot(bytes);
  bytes.fill(0xee);
  t.deepEqual([...back.unconsumed], [1, 2, 3]);
  t.deepEqual([...back.appState], [9, 8]);
  t.not(back.unconsumed.buffer, bytes.buffer);
});

test('a truncated, padded or foreign snapshot is refused with a reason', (t) => {
  const bytes = encodeSocketSnapshot(sample);
  for (const cut of [0, 3, 10, 25, bytes.length - 1]) {
    const err = t.throws(() => decodeSocketSnapshot(bytes.subarray(0, cut)), {
      instanceOf: ReplicationError,
    });
    t.is(err?.code, 'REPL_BAD_DETAIL');
    t.regex(err?.message ?? '', /ends inside/);
  }
  const padded = new Uint8Array(bytes.length + 2);
  padded.set(bytes);
  t.throws(() => decodeSocketSnapshot(padded), { message: /2 trailing bytes/ });
  const foreign = bytes.slice();
  foreign[0] = 0;
  t.throws(() => decodeSocketSnapshot(foreign), { message: /not a socket snapshot/ });
  const huge = bytes.slice();
  new DataView(huge.buffer).setUint32(5, 0xffff_ffff);
  t.throws(() => decodeSocketSnapshot(huge), { message: /written exceeds 2\^53/ });
});
