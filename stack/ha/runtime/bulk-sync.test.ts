import test from 'ava';
import { BulkSync, type BulkSyncDeps } from './bulk-sync.ts';

/** A bulk sync over a fake link: `later` queues, `confirm` acknowledges what was sent. */
function rig(conns: number[], limits = { connections: 4, ms: 1000, inFlight: 6 }) {
  const sent: number[] = [];
  const later: (() => void)[] = [];
  let confirmed = 0;
  let finished = 0;
  const deps: BulkSyncDeps = {
    sendConnection: (c) => sent.push(c),
    inFlight: () => sent.length - confirmed,
    finish: () => finished++,
    later: (fn) => later.push(fn),
    elapsedMs: () => 0,
  };
  const bulk = new BulkSync(conns, deps, limits);
  return {
    bulk,
    sent,
    later,
    finished: () => finished,
    confirmAll: () => {
      confirmed = sent.length;
      bulk.kick();
    },
    turn: () => later.shift()?.(),
  };
}

test('one slice per event-loop turn, bounded by connections and by what is unconfirmed', (t) => {
  const r = rig([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
  r.bulk.step();
  t.deepEqual(r.sent, [1, 2, 3, 4], 'first slice: 4 connections, then yield');
  t.is(r.later.length, 1);
  r.turn();
  t.deepEqual(r.sent, [1, 2, 3, 4, 5, 6], 'second slice stops at 6 unconfirmed');
  t.is(r.later.length, 0, 'waits for a confirmation, no busy loop');
  r.bulk.kick();
  t.is(r.later.length, 0, 'a kick without room does nothing');
  r.confirmAll();
  t.is(r.later.length, 1);
  r.turn();
  r.turn();
  t.deepEqual(r.sent, [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
  t.is(r.finished(), 1, 'bulk-end once everything went');
  r.turn();
  t.is(r.finished(), 1, 'only once');
  t.true(r.bulk.done);
});

test('the time budget ends a slice too', (t) => {
  let now = 0;
  const sent: number[] = [];
  const later: (() => void)[] = [];
  const bulk = new BulkSync(
    [1, 2, 3, 4, 5],
    {
      sendConnection: (c) => {
        sent.push(c);
        now += 2;
      },
      inFlight: () => 0,
      finish: () => {},
      later: (fn) => later.push(fn),
      elapsedMs: () => now,
    },
    { connections: 100, ms: 3, inFlight: 100 },
  );
  bulk.step();
  t.deepEqual(sent, [1, 2], '2 ms each, 3 ms budget');
  t.is(later.length, 1);
});

test('records of a connection not sent yet are covered by its snapshot; a closed one is skipped', (t) => {
  const r = rig([1, 2, 3, 4, 5, 6], { connections: 2, ms: 1000, inFlight: 100 });
  r.bulk.step();
  t.deepEqual(r.sent, [1, 2]);
  t.false(r.bulk.covers(1, 'tcp'), 'sent already: its records go in the log');
  t.true(r.bulk.covers(3, 'tcp'), 'not sent yet: the snapshot will hold it');
  t.true(r.bulk.covers(3, 'socket-data'));
  t.true(r.bulk.covers(4, 'closed'), 'closed before its turn: never sent');
  t.false(r.bulk.covers(5, 'snapshot'), 'its own snapshot entry goes in the log instead');
  t.false(r.bulk.covers(5, 'tcp'), 'and from then on its records too');
  t.false(r.bulk.covers(99, 'tcp'), 'a connection created during the bulk sync');
  r.turn();
  r.turn();
  t.deepEqual(r.sent, [1, 2, 3, 6], 'neither the closed one nor the one sent in the log');
  t.is(r.finished(), 1);
  t.false(r.bulk.covers(6, 'tcp'), 'over: covers nothing');
});

test('a cancelled bulk sync sends nothing more and covers nothing', (t) => {
  const r = rig([1, 2, 3, 4, 5, 6]);
  r.bulk.step();
  r.bulk.cancel();
  t.false(r.bulk.covers(5, 'tcp'));
  r.turn();
  r.confirmAll();
  t.deepEqual(r.sent, [1, 2, 3, 4]);
  t.is(r.finished(), 0);
});
