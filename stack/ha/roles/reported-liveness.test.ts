/**
 * The role machine with a heartbeat thread deciding liveness (`reportedLiveness`): only a
 * reported silence on both paths leads to takeover, a stall of the main loop alone does not
 * (nor does it put the board on probation), and a hole in the board's own heartbeats does.
 */
import test from 'ava';
import type { Heartbeat } from '../ipc/records.ts';
import { HaNode } from './node.ts';
import type { HaAction } from './types.ts';

const active = (epoch = 1): Heartbeat => ({
  slot: 0,
  role: 'active',
  epoch,
  sync: 'hot',
  counter: 1,
  sentAt: 0,
});

/** A hot standby (slot 1) at time 100 that last heard its mate on both paths at 100. */
function hotStandby(): HaNode {
  const n = new HaNode({ slot: 1, intervalMs: 10, misses: 3, reportedLiveness: true }, 0);
  n.handle({ kind: 'heartbeat', path: 'lan', hb: active(), now: 5 });
  n.handle({ kind: 'ipc-up', now: 6 });
  n.handle({ kind: 'heartbeat', path: 'ipc', hb: active(), now: 7 });
  n.handle({ kind: 'bulk-sync-begun', now: 8 });
  n.handle({ kind: 'bulk-sync-done', now: 9 });
  for (const path of ['ipc', 'lan'] as const)
    n.handle({ kind: 'heartbeat', path, hb: active(), now: 100 });
  return n;
}

const kinds = (acts: HaAction[]) => acts.filter((a) => a.kind !== 'log').map((a) => a.kind);

test('a stalled main loop neither fakes silence nor goes on probation', (t) => {
  const n = hotStandby();
  t.is(n.sync, 'hot');
  // 400 ms without any input, then heartbeats the thread heard meanwhile (queued)
  t.deepEqual(kinds(n.handle({ kind: 'tick', now: 500 })), []);
  n.handle({ kind: 'heartbeat', path: 'lan', hb: active(), at: 130, now: 500 });
  t.is(n.role, 'standby');
  t.true(n.status(500).mate.lan);
  t.is(n.detector.path('lan', 500).lastHeard, 130, 'heard when the thread heard it');
  t.is(n.nextDeadline(500), n.nextDeadline(), 'no detector deadline: only the heartbeat check-in');
});

test('reported silence on both paths: a hot standby takes over', (t) => {
  const n = hotStandby();
  const ipc = n.handle({ kind: 'path-silent', path: 'ipc', lastHeard: 100, now: 131 });
  t.deepEqual(kinds(ipc), ['ipc-reset'], 'the IPC session of a silent IPC path is reset');
  const acts = n.handle({ kind: 'path-silent', path: 'lan', lastHeard: 100, now: 131 });
  t.deepEqual(kinds(acts), ['become-active', 'front']);
  t.is(n.epoch, 2);
});

test('a hole in its own heartbeats: probation (no takeover, front closed) for one detection', (t) => {
  const n = hotStandby();
  n.handle({ kind: 'heartbeat-hole', holeMs: 40, now: 140 });
  n.handle({ kind: 'path-silent', path: 'ipc', lastHeard: 100, now: 141 });
  const none = n.handle({ kind: 'path-silent', path: 'lan', lastHeard: 100, now: 141 });
  t.deepEqual(kinds(none), [], 'the mate may have taken over meanwhile: no takeover yet');
  t.deepEqual(kinds(n.handle({ kind: 'tick', now: 181 })), ['become-active', 'front']);

  // An active with a hole closes its front until the probation ends.
  const a = new HaNode({ slot: 0, intervalMs: 10, misses: 3, reportedLiveness: true }, 0);
  a.handle({ kind: 'tick', now: 100 });
  t.is(a.role, 'active');
  t.true(a.front);
  t.deepEqual(kinds(a.handle({ kind: 'heartbeat-hole', holeMs: 30, now: 110 })), ['front']);
  t.false(a.front);
  t.deepEqual(kinds(a.handle({ kind: 'tick', now: 150 })), ['front']);
  t.true(a.front);
});

test('without a heartbeat thread, an input gap still means probation (timeout detector)', (t) => {
  const n = new HaNode({ slot: 0, intervalMs: 10, misses: 3 }, 0);
  n.handle({ kind: 'tick', now: 100 });
  t.true(n.front);
  n.handle({ kind: 'tick', now: 200 });
  t.false(n.front, 'stalled 100 ms > detection + interval');
});
