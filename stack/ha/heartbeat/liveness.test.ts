import test from 'ava';
import type { Heartbeat } from '../ipc/records.ts';
import { FailureDetector } from './detector.ts';
import { ReportedLiveness } from './liveness.ts';

const hb = (epoch: number): Heartbeat => ({
  slot: 0,
  role: 'active',
  epoch,
  sync: 'hot',
  counter: 0,
  sentAt: 0,
});

test('reported liveness: alive from heard until reported silent, whatever the time', (t) => {
  const l = new ReportedLiveness(30);
  t.false(l.mateAlive(0));
  l.heard('lan', hb(1), 10);
  t.true(l.path('lan', 10_000).alive, 'a stalled loop does not time the path out by itself');
  t.is(l.nextExpiry(10), undefined);
  l.heard('ipc', hb(2), 12);
  t.is(l.mate(10_000)?.epoch, 2);
  l.silent('lan', 40);
  t.deepEqual(l.path('lan', 50), { alive: false, lastHeard: 40 });
  t.true(l.mateAlive(50));
  l.silent('ipc', 12);
  t.false(l.mateAlive(50));
  t.is(l.mate(50), undefined);
  t.is(l.lastHeartbeat?.epoch, 2);
});

test('reported liveness: a reset IPC session holds the path silent until it is up again', (t) => {
  const l = new ReportedLiveness(30);
  l.heard('ipc', hb(1), 0);
  l.forget('ipc');
  t.false(l.path('ipc', 1).alive);
  l.heard('ipc', hb(1), 5);
  t.false(l.path('ipc', 6).alive, 'heartbeats alone do not undo a reset');
  l.touch('ipc', 10);
  t.true(l.path('ipc', 11).alive);
});

test('reported liveness: a fresh session gets one detection time of grace for a first report', (t) => {
  const l = new ReportedLiveness(30);
  l.touch('ipc', 100);
  t.true(l.path('ipc', 130).alive);
  t.is(l.nextExpiry(100), 131);
  t.false(l.path('ipc', 131).alive);
  l.heard('ipc', hb(1), 120);
  t.true(l.path('ipc', 500).alive);
  t.is(l.nextExpiry(120), undefined, 'reported alive: no expiry of its own');
});

test('the timeout detector takes a reported silence as a forgotten path', (t) => {
  const d = new FailureDetector({ intervalMs: 10, misses: 3 });
  d.heard('lan', hb(1), 0);
  d.silent('lan', 0);
  t.false(d.path('lan', 1).alive);
});
