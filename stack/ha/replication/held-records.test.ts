import test from 'ava';
import { sampleVars } from '../ipc/fixtures.ts';
import type { LogEntry } from '../ipc/records.ts';
import { AWAITING_RECORDS } from '../log/output-gate.ts';
import { HeldRecords } from './held-records.ts';

const data = (conn: number, offset: number, n: number): LogEntry => ({
  kind: 'socket-data',
  conn,
  direction: 'delivered',
  offset,
  bytes: new Uint8Array(n).fill(7),
});
const tcp = (conn: number): LogEntry => ({
  kind: 'tcp',
  conn,
  event: 'segment',
  at: 1,
  vars: sampleVars,
  detail: new Uint8Array(),
});

function rig(): { held: HeldRecords; log: LogEntry[]; written: number[] } {
  const log: LogEntry[] = [];
  const written: number[] = [];
  const held = new HeldRecords(
    (e) => log.push(e),
    (i) => written.push(i),
  );
  return { held, log, written };
}

test('held entries go as lengths when consumed, whole otherwise; outputs learn the index', (t) => {
  for (const consumedAll of [true, false]) {
    const { held, log, written } = rig();
    held.startCapture();
    t.true(held.take(data(3, 100, 40)));
    t.true(held.take(tcp(3)));
    t.is(held.endCapture(3), null, 'held: the outputs wait');
    t.is(held.awaitedIndex(), AWAITING_RECORDS);
    t.is(held.heldConn, 3);
    t.deepEqual(log, []);
    held.flush(consumedAll ? 9 : undefined);
    t.like(
      log[0],
      consumedAll
        ? { kind: 'consumed', conn: 3, offset: 100, length: 40, at: 9 }
        : { kind: 'socket-data' },
    );
    t.like(log[1], { kind: 'tcp' });
    t.deepEqual(written, [2]);
    t.is(held.awaitedIndex(), 2);
    t.is(held.heldConn, undefined);
  }
});

test('consumed, the delivered bytes of one input go as one record carrying the consume time', (t) => {
  const { held, log } = rig();
  held.startCapture();
  held.take(data(3, 100, 40));
  held.take(data(3, 140, 60));
  held.take(tcp(3));
  held.endCapture(3);
  held.flush(12);
  t.deepEqual(log, [{ kind: 'consumed', conn: 3, offset: 100, length: 100, at: 12 }, tcp(3)]);
});

test('entries are handed back when they deliver nothing, concern another connection or the input threw', (t) => {
  const { held } = rig();
  t.deepEqual(held.endCapture(3), [], 'nothing captured');
  held.startCapture();
  held.take(tcp(3));
  t.is(held.endCapture(3)?.length, 1, 'no bytes delivered');
  held.startCapture();
  held.take(data(3, 0, 10));
  held.take({ kind: 'snapshot', conn: 4, at: 1, snapshot: new Uint8Array(1) });
  t.is(held.endCapture(3)?.length, 2, 'another connection');
  held.startCapture();
  held.take(data(3, 0, 10));
  held.take(tcp(3));
  t.is(held.endCapture(3, false)?.length, 2, 'the input threw');
  t.false(held.take(tcp(3)), 'no capture left behind');
  t.is(held.heldConn, undefined);
});
