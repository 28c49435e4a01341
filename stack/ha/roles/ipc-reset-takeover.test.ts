/**
 * A hot standby whose IPC session is reset by the dying mate's kernel (kill -9: RST at once),
 * before any heartbeat came on that session, still takes over when the LAN falls silent too.
 */
import test from 'ava';
import { HaNode } from './node.ts';
import type { HaAction } from './types.ts';

const hb = (now: number) => ({
  slot: 0,
  role: 'active' as const,
  epoch: 1,
  sync: 'hot' as const,
  counter: now,
  sentAt: now,
});

test('IPC reset right after becoming hot, then LAN silent: takeover', (t) => {
  const node = new HaNode({ slot: 1, intervalMs: 100, misses: 10 }, 0);
  const acts: HaAction[] = [];
  let now = 0;
  const feed = (input: Parameters<HaNode['handle']>[0]) => acts.push(...node.handle(input));
  feed({ kind: 'heartbeat', path: 'lan', hb: hb(now), now });
  t.is(node.role, 'standby');
  now = 10;
  feed({ kind: 'ipc-up', now });
  feed({ kind: 'bulk-sync-begun', now });
  feed({ kind: 'bulk-sync-done', now });
  t.is(node.sync, 'hot');
  // kill -9 of the active: its kernel resets the IPC session 80 ms later, no IPC heartbeat yet
  now = 90;
  feed({ kind: 'heartbeat', path: 'lan', hb: hb(now), now });
  feed({ kind: 'ipc-down', now });
  for (; now < 3000 && node.role === 'standby'; now += 10) feed({ kind: 'tick', now });
  t.is(node.role, 'active');
  t.true(acts.some((a) => a.kind === 'become-active' && a.reason === 'takeover'));
});

test('IPC reset and the LAN still answering: disconnected, no takeover', (t) => {
  const node = new HaNode({ slot: 1, intervalMs: 100, misses: 10 }, 0);
  let now = 0;
  node.handle({ kind: 'heartbeat', path: 'lan', hb: hb(now), now });
  node.handle({ kind: 'ipc-up', now });
  node.handle({ kind: 'bulk-sync-begun', now });
  node.handle({ kind: 'bulk-sync-done', now });
  node.handle({ kind: 'ipc-down', now: 50 });
  for (now = 50; now < 3000; now += 10) {
    if (now % 100 === 0) node.handle({ kind: 'heartbeat', path: 'lan', hb: hb(now), now });
    node.handle({ kind: 'tick', now });
  }
  t.is(node.role, 'standby');
  t.is(node.sync, 'disconnected');
});

test('a reset of a session that never got hot again does not refresh the takeover clock', (t) => {
  const node = new HaNode({ slot: 1, intervalMs: 100, misses: 10, alarmTimeoutMs: 500 }, 0);
  let now = 0;
  node.handle({ kind: 'heartbeat', path: 'lan', hb: hb(now), now });
  node.handle({ kind: 'ipc-up', now });
  node.handle({ kind: 'bulk-sync-begun', now });
  node.handle({ kind: 'bulk-sync-done', now });
  node.handle({ kind: 'ipc-down', now: 10 }); // lost while hot: disconnected from hot
  for (now = 10; now <= 2000; now += 10) {
    if (now % 100 === 0) node.handle({ kind: 'heartbeat', path: 'lan', hb: hb(now), now });
    node.handle({ kind: 'tick', now });
  }
  t.is(node.sync, 'disconnected');
  // a new session comes up and drops before any bulk sync: the standby is still stale
  node.handle({ kind: 'ipc-up', now });
  node.handle({ kind: 'ipc-down', now: now + 5 });
  for (now += 5; now < 5000 && node.role === 'standby'; now += 10)
    node.handle({ kind: 'tick', now });
  t.is(node.role, 'standby', 'no takeover with state missed since the first loss');
});

test('IPC heard again while disconnected (no bulk sync yet) does not allow a later takeover', (t) => {
  const node = new HaNode({ slot: 1, intervalMs: 10, misses: 3, alarmTimeoutMs: 150 }, 0);
  let now = 0;
  const ipcHb = (at: number) =>
    node.handle({ kind: 'heartbeat', path: 'ipc', hb: hb(at), now: at });
  const lanHb = (at: number) =>
    node.handle({ kind: 'heartbeat', path: 'lan', hb: hb(at), now: at });
  lanHb(now);
  node.handle({ kind: 'ipc-up', now });
  ipcHb(now);
  node.handle({ kind: 'bulk-sync-begun', now });
  node.handle({ kind: 'bulk-sync-done', now });
  t.is(node.sync, 'hot');
  // IPC silent for 300 ms, LAN alive: disconnected from hot
  for (now = 10; now <= 300; now += 10) {
    lanHb(now);
    node.handle({ kind: 'tick', now });
  }
  t.is(node.sync, 'disconnected');
  // the IPC flaps back for a moment (a heartbeat, no bulk sync), then everything falls silent
  ipcHb(now);
  node.handle({ kind: 'ipc-down', now });
  for (; now < 1000 && node.role === 'standby'; now += 10) node.handle({ kind: 'tick', now });
  t.is(node.role, 'standby', 'stale since the IPC loss: no takeover');
});

test('hot again after a long IPC outage, then frozen before any IPC heartbeat: takeover', (t) => {
  const node = new HaNode({ slot: 1, intervalMs: 40, misses: 4 }, 0);
  const lanHb = (at: number) =>
    node.handle({ kind: 'heartbeat', path: 'lan', hb: hb(at), now: at });
  let now = 0;
  lanHb(now);
  node.handle({ kind: 'ipc-up', now });
  node.handle({ kind: 'heartbeat', path: 'ipc', hb: hb(now), now });
  node.handle({ kind: 'bulk-sync-begun', now });
  node.handle({ kind: 'bulk-sync-done', now });
  // IPC cable pulled for far longer than the alarm timeout (800 ms), LAN alive
  for (now = 40; now <= 2000; now += 40) {
    lanHb(now);
    node.handle({ kind: 'tick', now });
  }
  t.is(node.sync, 'disconnected');
  // cable back: a new session, bulk sync, hot; a LAN heartbeat, then the active freezes before
  // its first IPC heartbeat (the IPC path falls silent just before the LAN)
  node.handle({ kind: 'ipc-up', now });
  node.handle({ kind: 'bulk-sync-begun', now: now + 1 });
  node.handle({ kind: 'bulk-sync-done', now: now + 3 });
  t.is(node.sync, 'hot');
  now += 5;
  lanHb(now);
  const frozenAt = now;
  for (now += 1; now < 3000 && node.role === 'standby'; now++) node.handle({ kind: 'tick', now });
  t.is(node.role, 'active', 'current as of the bulk sync: the mate is dead, take over');
  t.true(now - frozenAt < 2 * 160, `took over ${now - frozenAt} ms after the freeze`);
});

/** A hot standby (slot 1) of an active heard on both paths until `now`. */
function hotStandby(now: number): HaNode {
  const node = new HaNode({ slot: 1, intervalMs: 20, misses: 10 }, 0);
  node.handle({ kind: 'heartbeat', path: 'lan', hb: hb(0), now: 0 });
  node.handle({ kind: 'ipc-up', now: 0 });
  node.handle({ kind: 'bulk-sync-begun', now: 0 });
  node.handle({ kind: 'bulk-sync-done', now: 0 });
  for (let at = 20; at <= now; at += 20) {
    node.handle({ kind: 'heartbeat', path: 'lan', hb: hb(at), now: at });
    node.handle({ kind: 'heartbeat', path: 'ipc', hb: hb(at), now: at });
  }
  return node;
}

/** Ticks every ms from `from` until the node is active (or `until`); the takeover time. */
function tickUntilActive(node: HaNode, from: number, until: number): number | undefined {
  for (let now = from; now <= until; now++) {
    node.handle({ kind: 'tick', now });
    if (node.role === 'active') return now;
  }
  return undefined;
}

test('the mate closed the IPC stream (its daemon exited) and the LAN went quiet: takeover after 3 intervals, not the whole detection time', (t) => {
  const node = hotStandby(1000);
  node.handle({ kind: 'ipc-down', now: 1005, byMate: true });
  const at = tickUntilActive(node, 1005, 1400);
  t.truthy(at);
  // last LAN heartbeat at 1000; 3 × 20 ms later (detection time: 200 ms)
  t.true(at! > 1060 && at! <= 1062, `took over at ${at}`);
});

test('the mate closed the IPC stream but goes on heartbeating on the LAN: no takeover', (t) => {
  const node = hotStandby(1000);
  node.handle({ kind: 'ipc-down', now: 1005, byMate: true });
  for (let now = 1005; now < 3000; now++) {
    // heartbeats with up to 2 intervals of jitter
    if (now % 40 === 0) node.handle({ kind: 'heartbeat', path: 'lan', hb: hb(now), now });
    node.handle({ kind: 'tick', now });
  }
  t.is(node.role, 'standby');
  t.is(node.sync, 'disconnected');
  t.is(node.mateExit.suspectedSince, undefined, 'heard after the close: suspicion over');
});

test('IPC lost without the mate closing it (cable, timeout): the whole detection time', (t) => {
  const node = hotStandby(1000);
  node.handle({ kind: 'ipc-down', now: 1005 });
  const at = tickUntilActive(node, 1005, 1400);
  t.truthy(at);
  t.true(at! > 1200, `took over at ${at}`);
});
