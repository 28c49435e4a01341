import test from 'ava';
import fc from 'fast-check';
import { HaError } from '../errors.ts';
import { sampleRecords } from './fixtures.ts';
import { IpcSession } from './session.ts';

const key = new Uint8Array(16).fill(3);
const validStream = (k?: Uint8Array) => {
  const tx = new IpcSession({ key: k });
  return Buffer.concat(sampleRecords.map((r) => tx.encode(r)));
};

/** Feeds `bytes` in the given chunk sizes; must never throw. */
function feed(session: IpcSession, bytes: Uint8Array, cuts: number[]) {
  const records = [];
  let error: HaError | undefined;
  let at = 0;
  for (const size of [...cuts, bytes.length]) {
    const res = session.receive(bytes.subarray(at, Math.min(bytes.length, at + size)));
    records.push(...res.records);
    error ??= res.error;
    at = Math.min(bytes.length, at + size);
    if (at >= bytes.length) break;
  }
  return { records, error };
}

test('random bytes in random chunks never throw: frames or a typed error', (t) => {
  fc.assert(
    fc.property(
      fc.uint8Array({ maxLength: 2048 }),
      fc.array(fc.integer({ min: 1, max: 64 })),
      fc.boolean(),
      (bytes, cuts, withKey) => {
        const { error } = feed(
          new IpcSession({ key: withKey ? key : undefined, maxPayload: 4096 }),
          bytes,
          cuts,
        );
        return error === undefined || error instanceof HaError;
      },
    ),
    { numRuns: 2000 },
  );
  t.pass();
});

test('mutated valid streams: a prefix of the true records, then at most a typed error', (t) => {
  const plain = validStream();
  const tx = new IpcSession();
  let end = 0;
  const frameEnds = sampleRecords.map((r) => (end += tx.encode(r).length));
  fc.assert(
    fc.property(
      fc.array(fc.tuple(fc.nat(plain.length - 1), fc.integer({ min: 1, max: 255 })), {
        minLength: 1,
        maxLength: 4,
      }),
      fc.array(fc.integer({ min: 1, max: 200 })),
      (flips, cuts) => {
        const bytes = Buffer.from(plain);
        for (const [at, x] of flips) bytes[at]! ^= x;
        const { records, error } = feed(new IpcSession(), bytes, cuts);
        if (error !== undefined && !(error instanceof HaError)) return false;
        // Without a MAC a flipped payload may decode to another value, but every frame that
        // ends before the first flip must come out intact.
        const firstFlip = Math.min(...flips.map(([at]) => at));
        const intact = frameEnds.filter((end) => end <= firstFlip).length;
        return (
          records.length <= sampleRecords.length &&
          records.length >= intact &&
          records
            .slice(0, intact)
            .every((r, i) => JSON.stringify(r) === JSON.stringify(sampleRecords[i]))
        );
      },
    ),
    { numRuns: 1000 },
  );
  t.pass();
});

test('with a key, any mutation is caught: no altered record is ever accepted', (t) => {
  const signed = validStream(key);
  fc.assert(
    fc.property(fc.nat(signed.length - 1), fc.integer({ min: 1, max: 255 }), (at, x) => {
      const bytes = Buffer.from(signed);
      bytes[at]! ^= x;
      const session = new IpcSession({ key });
      const { records, error } = feed(session, bytes, [97]);
      // Refused, or (a flip that enlarged a length) still waiting for bytes that never come.
      return (
        (error instanceof HaError || session.failed === undefined) &&
        records.length < sampleRecords.length &&
        records.every((r, i) => JSON.stringify(r) === JSON.stringify(sampleRecords[i]))
      );
    }),
    { numRuns: 1000 },
  );
  t.pass();
});
