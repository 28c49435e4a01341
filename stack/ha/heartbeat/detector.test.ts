import test from 'ava';
import type { Heartbeat } from '../ipc/records.ts';
import { FailureDetector } from './detector.ts';

const hb = (epoch: number): Heartbeat => ({
  slot: 1,
  role: 'standby',
  epoch,
  sync: 'hot',
  counter: 0,
  sentAt: 0,
});

test('a path is silent after misses x interval without a heartbeat', (t) => {
  const d = new FailureDetector({ intervalMs: 10, misses: 3 });
  t.false(d.mateAlive(0), 'never heard: not alive');
  d.heard('ipc', hb(1), 100);
  t.true(d.path('ipc', 130).alive);
  t.false(d.path('ipc', 131).alive);
  t.false(d.path('lan', 100).alive);
  t.is(d.nextExpiry(100), 131);
});

test('the mate is dead only when both paths are silent', (t) => {
  const d = new FailureDetector({ intervalMs: 10, misses: 3 });
  d.heard('ipc', hb(1), 0);
  d.heard('lan', hb(1), 20);
  t.true(d.mateAlive(40), 'ipc silent, lan alive');
  t.is(d.mate(40)?.epoch, 1);
  t.false(d.mateAlive(51));
  t.is(d.mate(51), undefined);
  t.is(d.lastHeartbeat?.epoch, 1);
});

test('the latest heartbeat from either path is the mate view; forget silences a path', (t) => {
  const d = new FailureDetector({ intervalMs: 10, misses: 3 });
  d.heard('lan', hb(1), 0);
  d.heard('ipc', hb(2), 5);
  t.is(d.mate(6)?.epoch, 2);
  d.forget('ipc');
  t.false(d.path('ipc', 6).alive);
  t.true(d.path('lan', 6).alive);
});
