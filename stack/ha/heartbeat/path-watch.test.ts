import test from 'ava';
import type { Heartbeat } from '../ipc/records.ts';
import { PathWatch } from './path-watch.ts';

const hb: Heartbeat = { slot: 0, role: 'active', epoch: 1, sync: 'hot', counter: 1, sentAt: 0 };

test('each path falls silent after interval x misses, reported once until heard again', (t) => {
  const w = new PathWatch({ intervalMs: 10, misses: 3 });
  t.deepEqual(w.take(1000), [], 'a path never heard is not reported');
  w.heard('ipc', hb, 0);
  w.heard('lan', hb, 5);
  t.is(w.nextExpiry(6), 31);
  t.deepEqual(w.pending(30), []);
  t.deepEqual(w.pending(31), ['ipc'], 'pending does not report');
  t.deepEqual(w.take(31), [{ path: 'ipc', lastHeard: 0 }]);
  t.deepEqual(w.take(32), [], 'reported once');
  t.deepEqual(w.take(36), [{ path: 'lan', lastHeard: 5 }]);
  w.heard('ipc', hb, 40);
  t.deepEqual(w.take(60), []);
  t.deepEqual(w.take(71), [{ path: 'ipc', lastHeard: 40 }], 'heard again: reported again');
});
