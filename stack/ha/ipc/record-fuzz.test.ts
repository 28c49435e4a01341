import test from 'ava';
import fc from 'fast-check';
import { HaError } from '../errors.ts';
import { RECORD_TYPE_CODES } from './frame.ts';
import { decodeRecord, encodeRecordPayload } from './record-codec.ts';
import {
  CLOSE_REASONS,
  type IpcRecord,
  ROLES,
  SYNC_STATES,
  TCP_EVENT_KINDS,
  type TcpVars,
} from './records.ts';
import { IpcSession } from './session.ts';

const u32 = fc.nat({ max: 0xffff_ffff });
const index = fc.nat({ max: Number.MAX_SAFE_INTEGER });
const time = fc.double({ noNaN: true, noDefaultInfinity: true, min: -1e15, max: 1e15 });
const bytes = fc.uint8Array({ maxLength: 64 });
const deadline = fc.oneof(fc.constant(-1), fc.nat({ max: 2 ** 50 }));
const vars: fc.Arbitrary<TcpVars> = fc.record({
  state: fc.integer({ min: 0, max: 10 }),
  sndUna: u32,
  sndNxt: u32,
  sndWnd: u32,
  rcvNxt: u32,
  rcvWnd: u32,
  cwnd: u32,
  ssthresh: u32,
  rto: u32,
  rtxDeadline: deadline,
  persistDeadline: deadline,
  ackDeadline: deadline,
  keepaliveDeadline: deadline,
  timeWaitDeadline: deadline,
}) as fc.Arbitrary<TcpVars>;
const header = fc.record({
  seq: u32,
  ack: u32,
  flags: fc.nat({ max: 255 }),
  window: u32,
  length: u32,
});
const entry = fc.oneof(
  fc.record({
    kind: fc.constant('tcp' as const),
    conn: u32,
    event: fc.constantFrom(...TCP_EVENT_KINDS),
    at: time,
    header,
    vars,
    detail: bytes,
  }),
  fc.record({
    kind: fc.constant('tcp' as const),
    conn: u32,
    event: fc.constantFrom(...TCP_EVENT_KINDS),
    at: time,
    vars,
    detail: bytes,
  }),
  fc.record({
    kind: fc.constant('socket-data' as const),
    conn: u32,
    direction: fc.constantFrom('delivered' as const, 'written' as const),
    offset: index,
    bytes,
  }),
  fc.record({ kind: fc.constant('snapshot' as const), conn: u32, at: time, snapshot: bytes }),
  fc.record({
    kind: fc.constant('closed' as const),
    conn: u32,
    at: time,
    reason: fc.constantFrom(...CLOSE_REASONS),
  }),
  fc.record({ kind: fc.constant('app' as const), conn: u32, data: bytes }),
);
const record: fc.Arbitrary<IpcRecord> = fc.oneof(
  fc.record(
    {
      type: fc.constant('heartbeat' as const),
      slot: fc.nat({ max: 255 }),
      role: fc.constantFrom(...ROLES),
      epoch: index,
      sync: fc.constantFrom(...SYNC_STATES),
      counter: u32,
      sentAt: time,
      frontDown: fc.boolean(),
    },
    // frontDown: present or absent (senders that do not tell)
    { requiredKeys: ['type', 'slot', 'role', 'epoch', 'sync', 'counter', 'sentAt'] },
  ),
  fc.record({ type: fc.constant('log' as const), index, epoch: index, entry }),
  fc.record({ type: fc.constant('confirm' as const), epoch: index, index }),
  fc.record({
    type: fc.constant('switchover' as const),
    epoch: index,
    phase: fc.constantFrom(
      'prepare' as const,
      'commit' as const,
      'refuse' as const,
      'done' as const,
    ),
    lastIndex: index,
    reason: fc.string(),
  }),
  fc.record({
    type: fc.constant('resync-request' as const),
    epoch: index,
    conn: fc.option(fc.nat({ max: 0xffff_fffe }), { nil: null }),
    reason: fc.string(),
  }),
);

test('any record round-trips through the codec', (t) => {
  fc.assert(
    fc.property(fc.array(record, { maxLength: 8 }), (recs) => {
      const tx = new IpcSession();
      const rx = new IpcSession();
      const { records, error } = rx.receive(Buffer.concat(recs.map((r) => tx.encode(r))));
      t.is(error, undefined);
      t.deepEqual(records, recs);
    }),
    { numRuns: 500 },
  );
});

test('random payloads in well-formed frames of every type: a record or a typed refusal', (t) => {
  fc.assert(
    fc.property(
      fc.constantFrom(...RECORD_TYPE_CODES),
      fc.uint8Array({ maxLength: 200 }),
      (type, payload) => {
        const res = decodeRecord({ version: 1, type, sequence: 0, payload });
        if (res instanceof HaError) return res.code === 'IPC_BAD_PAYLOAD';
        // Whatever decodes re-encodes to the very same bytes: no value slips in unchecked.
        return Buffer.from(encodeRecordPayload(res)).equals(Buffer.from(payload));
      },
    ),
    { numRuns: 3000 },
  );
  t.pass();
});
