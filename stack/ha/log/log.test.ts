import test from 'ava';
import { sampleVars } from '../ipc/fixtures.ts';
import type { LogEntry } from '../ipc/records.ts';
import { differingVars } from './digest-compare.ts';
import { AWAITING_RECORDS, OutputGate } from './output-gate.ts';
import { ReplayTracker } from './replay-tracker.ts';
import { ReplicationLog } from './replication-log.ts';

const data = (conn: number, n: number): LogEntry => ({
  kind: 'socket-data',
  conn,
  direction: 'delivered',
  offset: 0,
  bytes: new Uint8Array(n),
});

test('log numbers records from 1 and tracks lag in records and bytes', (t) => {
  const log = new ReplicationLog(1);
  const a = log.append(data(1, 100));
  const b = log.append(data(2, 50));
  log.append({ kind: 'closed', conn: 1, at: 0, reason: 'orderly' });
  t.deepEqual([a.index, b.index, a.epoch], [1, 2, 1]);
  t.deepEqual(log.lag(), { records: 3, bytes: 150 });
  t.is(log.confirm(2), 2);
  t.deepEqual(log.lag(), { records: 1, bytes: 0 });
  t.is(log.confirm(2), 0, 'a repeated confirmation changes nothing');
  t.is(log.confirm(9), 0, 'beyond the last index: refused');
  t.is(log.confirm(3, 0), 0, 'other epoch: refused');
  t.false(log.drained);
  t.is(log.confirm(3), 1);
  t.true(log.drained);
  const next = new ReplicationLog(2, 41);
  t.is(next.append(data(1, 1)).index, 42);
});

test('gate holds outputs until their record is confirmed, in order', (t) => {
  const gate = new OutputGate<string>();
  gate.setWaiting(true, 0);
  t.deepEqual(gate.submit('s1', 1, 0), []);
  t.deepEqual(gate.submit('s2', 3, 1), []);
  t.deepEqual(gate.submit('s3', 2, 2), [], 'an output never overtakes an earlier one');
  t.deepEqual(
    gate.confirm(1, 5).map((r) => r.output),
    ['s1'],
  );
  t.deepEqual(
    gate.confirm(2, 6).map((r) => r.output),
    [],
    's2 waits for 3, s3 waits behind it',
  );
  const rel = gate.confirm(3, 10);
  t.deepEqual(rel, [
    { output: 's2', heldMs: 9 },
    { output: 's3', heldMs: 8 },
  ]);
  t.is(gate.held, 0);
  t.deepEqual(
    gate.submit('s4', 3, 11).map((r) => r.output),
    ['s4'],
    'already confirmed: goes at once',
  );
});

test('gate releases everything when it stops waiting, and holds nothing when not waiting', (t) => {
  const gate = new OutputGate<number>();
  t.deepEqual(
    gate.submit(1, 100, 0).map((r) => r.output),
    [1],
  );
  gate.setWaiting(true, 0);
  gate.submit(2, 5, 0);
  gate.submit(3, 6, 0);
  t.is(gate.held, 2);
  t.deepEqual(
    gate.setWaiting(false, 50).map((r) => r.output),
    [2, 3],
  );
  t.deepEqual(
    gate.submit(4, 7, 51).map((r) => r.output),
    [4],
  );
});

test('replay tracker: in order applies, duplicates skip, gaps ask for bulk, stale refused', (t) => {
  const log = new ReplicationLog(3);
  const tracker = new ReplayTracker(3);
  const r1 = log.append(data(1, 1));
  const r2 = log.append(data(1, 1));
  const r3 = log.append(data(1, 1));
  t.deepEqual(tracker.admit(r1), { verdict: 'apply' });
  tracker.markApplied(r1.index);
  t.deepEqual(tracker.admit(r1), { verdict: 'duplicate' });
  const gap = tracker.admit(r3);
  t.is(gap.verdict, 'gap');
  t.like(gap, { request: { type: 'resync-request', conn: null } });
  t.is(tracker.admit({ ...r2, epoch: 2 }).verdict, 'stale');
  t.deepEqual(tracker.admit(r2), { verdict: 'apply' });
  tracker.markApplied(r2.index);
  t.deepEqual(tracker.confirmation(), { type: 'confirm', epoch: 3, index: 2 });
  t.is(tracker.confirmation(), undefined, 'nothing new applied');
  t.is(log.confirm(2, 3), 2);
});

test('bulk sync brackets snapshots; hot only when every announced record was applied', (t) => {
  const tracker = new ReplayTracker(1);
  tracker.bulkBegin(10, 2, 1);
  t.true(tracker.inBulkSync);
  for (const index of [11, 12]) {
    t.is(
      tracker.admit({
        type: 'log',
        index,
        epoch: 1,
        entry: { kind: 'snapshot', conn: index, at: 0, snapshot: new Uint8Array(4) },
      }).verdict,
      'apply',
    );
    tracker.markApplied(index);
  }
  t.true(tracker.bulkEnd(12));
  t.false(tracker.inBulkSync);
  tracker.bulkBegin(20, 1, 1);
  t.false(tracker.bulkEnd(21), 'snapshot 21 never arrived');
});

test('digest mismatches are counted per connection and ask for that connection', (t) => {
  const tracker = new ReplayTracker(1);
  const replayed = { ...sampleVars, sndNxt: sampleVars.sndNxt + 1, rto: 400 };
  const fields = differingVars(sampleVars, replayed);
  t.deepEqual(fields, ['sndNxt', 'rto']);
  t.deepEqual(differingVars(sampleVars, { ...sampleVars }), []);
  const req = tracker.mismatch(7, fields);
  tracker.mismatch(7, ['cwnd']);
  tracker.mismatch(8, ['cwnd']);
  t.like(req, { type: 'resync-request', conn: 7 });
  t.regex(req.reason, /sndNxt, rto/);
  t.is(tracker.mismatchesOf(7), 2);
  t.deepEqual(tracker.stats, { mismatches: 3, resyncRequests: 3, connectionsWithMismatch: 2 });
});

test('the gate counts what it held and for how long (output-commit latency)', (t) => {
  const gate = new OutputGate<string>();
  gate.setWaiting(true, 0);
  gate.submit('a', 1, 10);
  gate.submit('b', 2, 10);
  gate.submit('c', 2, 11);
  t.deepEqual(gate.confirm(1, 10), [{ output: 'a', heldMs: 0 }]);
  t.deepEqual(
    gate.confirm(2, 14).map((r) => r.heldMs),
    [4, 3],
  );
  t.like(gate.stats, { held: 3, heldMsTotal: 7, heldMsMax: 4 });
  // buckets: ≤0, ≤1, ≤2, ≤5, ≤10, ≤50, longer
  t.deepEqual(gate.stats.heldMsBuckets, [1, 0, 0, 2, 0, 0, 0]);
  gate.submit('d', 3, 20);
  gate.setWaiting(false, 120);
  t.is(gate.stats.heldMsBuckets[6], 1);
  t.is(gate.stats.heldMsMax, 100);
});

test('gate: outputs awaiting their records wait until those are logged, then go in order', (t) => {
  const gate = new OutputGate<string>();
  gate.setWaiting(true, 0);
  t.deepEqual(gate.submit('a', 1, 0), []);
  t.deepEqual(gate.submit('ack', AWAITING_RECORDS, 0), []);
  t.deepEqual(gate.confirm(5, 1), [{ output: 'a', heldMs: 1 }], 'awaiting blocks what follows');
  t.deepEqual(gate.resolve(7, 2), []);
  t.deepEqual(gate.submit('b', 8, 2), []);
  t.deepEqual(
    gate.confirm(8, 3).map((r) => r.output),
    ['ack', 'b'],
  );
  t.is(gate.held, 0);
  // Logged at an index already confirmed: released at once.
  t.deepEqual(gate.submit('c', AWAITING_RECORDS, 4), []);
  t.deepEqual(
    gate.resolve(8, 4).map((r) => r.output),
    ['c'],
  );
});
