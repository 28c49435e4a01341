/**
 * The heartbeat thread and its protocol with the main thread: two threads (two "boards") on
 * loopback addresses hear each other on both paths; a blocked main loop neither stops the
 * heartbeats nor fakes silence; a main loop that stops checking in (hung) stops them, the mate
 * reports both paths silent (at once, without waiting for a poll), and the hung side finds the
 * hole in its own heartbeats.
 */
import test from 'ava';
import { monotonicMs } from '../../rpd/loop.ts';
import type { HaLogEvent } from '../ipc/log-sink.ts';
import type { HeartbeatFields } from './beat-protocol.ts';
import type { HeartbeatPath } from './detector.ts';
import { HeartbeatThread } from './heartbeat-thread.ts';

const PORT = 20_000 + (process.pid % 20_000) * 2;
const HANG_MS = 200;

interface Side {
  thread: HeartbeatThread;
  heard: { path: HeartbeatPath; epoch: number; role: string; at: number }[];
  silent: { path: HeartbeatPath; at: number }[];
  logs: HaLogEvent[];
  fields: HeartbeatFields;
  checkingIn: boolean;
}

async function side(slot: 0 | 1, misses = 3): Promise<Side> {
  const [local, mate] = slot === 0 ? ['127.0.0.2', '127.0.0.3'] : ['127.0.0.3', '127.0.0.2'];
  const logs: HaLogEvent[] = [];
  const fields: HeartbeatFields = { slot, role: 'booting', epoch: 0, sync: 'cold' };
  const thread = await HeartbeatThread.start({
    ipc: { local, mate, port: PORT },
    lan: { local, mate, port: PORT + 1 },
    key: new Uint8Array(32).fill(7),
    intervalMs: 10,
    misses,
    hangMs: HANG_MS,
    fields,
    clock: monotonicMs,
    log: (e) => logs.push(e),
  });
  const s: Side = { thread, heard: [], silent: [], logs, fields, checkingIn: true };
  thread.on('heard', (path, hb, at) => s.heard.push({ path, epoch: hb.epoch, role: hb.role, at }));
  thread.on('silent', (path) => s.silent.push({ path, at: monotonicMs() }));
  return s;
}

async function until(cond: () => boolean, ms: number, what: string): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

test.serial(
  'two heartbeat threads: heard on both paths, silence only when the mate stops',
  async (t) => {
    const sides: Side[] = [];
    const timer = setInterval(() => {
      for (const s of sides) {
        if (s.checkingIn) s.thread.checkIn(monotonicMs(), s.fields);
        s.thread.poll(monotonicMs());
      }
    }, 5);
    t.teardown(async () => {
      clearInterval(timer);
      for (const s of sides) await s.thread.stop();
    });
    const a = await side(0);
    sides.push(a);
    const b = await side(1);
    sides.push(b);

    // The fields the main thread checks in with are what the mate hears.
    a.fields = { slot: 0, role: 'active', epoch: 3, sync: 'hot' };
    await until(
      () => ['ipc', 'lan'].every((p) => b.heard.some((h) => h.path === p && h.epoch === 3)),
      5000,
      'epoch 3 heard on both paths',
    );
    t.true(b.heard.some((h) => h.role === 'active'));

    // A blocked main loop (both boards' here) stops neither sending nor hearing: the first
    // poll after it reports the latest heartbeat, heard while the loop was blocked.
    const blockedFrom = monotonicMs();
    const end = performance.now() + 150;
    while (performance.now() < end) {}
    const blockedTo = monotonicMs();
    b.thread.poll(blockedTo);
    // The thread runs on meanwhile: it may have heard one more between blockedTo and the poll.
    const polledAt = monotonicMs();
    const latest = b.heard.at(-1)!;
    t.true(
      latest.at > blockedTo - 30 && latest.at <= polledAt + 1,
      `heard at ${latest.at - blockedFrom} ms into a ${blockedTo - blockedFrom} ms block`,
    );
    await new Promise((r) => setTimeout(r, 50));
    t.deepEqual([...a.silent, ...b.silent], [], 'no silence reported');
    t.is(a.thread.takeHole(monotonicMs()), undefined, 'no hole in the sends');

    // A hung main loop: its thread stops sending after hangMs; the mate finds both paths silent.
    a.checkingIn = false;
    const hungAt = monotonicMs();
    await until(() => b.silent.length >= 2, 3000, 'both paths silent');
    t.deepEqual(b.silent.map((s) => s.path).sort(), ['ipc', 'lan']);
    const silentAfter = Math.max(...b.silent.map((s) => s.at)) - hungAt;
    t.true(silentAfter >= HANG_MS, `silent ${silentAfter} ms after the hang, not before hangMs`);
    t.log(`hang → silence reported: ${silentAfter} ms (hang_ms ${HANG_MS}, detection 30 ms)`);
    t.true(a.logs.some((l) => l.msg === 'main loop hung: heartbeats stopped'));
    await until(() => a.thread.holePending(monotonicMs()), 1000, 'a hole in its own heartbeats');
    const hole = a.thread.takeHole(monotonicMs());
    t.true(hole !== undefined && hole > 25, `a hole in its own heartbeats: ${hole} ms`);
    t.is(a.thread.takeHole(monotonicMs()), undefined, 'reported once');

    // Back: heartbeats resume and the mate hears them again.
    const heardBefore = b.heard.length;
    a.checkingIn = true;
    await until(() => b.heard.length > heardBefore + 2, 3000, 'heard again');
    await until(
      () => a.logs.some((l) => l.msg === 'main loop back: heartbeats resumed'),
      3000,
      'resumed logged',
    );
    t.pass();
  },
);

test.serial('a mate that is not there is never reported silent (never heard)', async (t) => {
  const a = await side(0);
  const timer = setInterval(() => {
    a.thread.checkIn(monotonicMs(), a.fields);
    a.thread.poll(monotonicMs());
  }, 5);
  t.teardown(async () => {
    clearInterval(timer);
    await a.thread.stop();
  });
  await new Promise((r) => setTimeout(r, 150));
  t.deepEqual(a.heard, []);
  t.deepEqual(a.silent, []);
  t.true(a.logs.some((l) => l.msg === 'heartbeat thread priority'));
});

test.serial('a path falling silent reaches the main thread with no poll from it', async (t) => {
  const a = await side(0);
  const b = await side(1);
  const checkIn = setInterval(() => {
    a.thread.checkIn(monotonicMs(), a.fields);
    b.thread.checkIn(monotonicMs(), b.fields);
  }, 5);
  const poll = setInterval(() => b.thread.poll(monotonicMs()), 5);
  t.teardown(async () => {
    clearInterval(checkIn);
    clearInterval(poll);
    await b.thread.stop();
    await a.thread.stop();
  });
  await until(() => b.heard.length > 0, 3000, 'the mate heard');
  // From here b's main thread never polls: only the thread's own message can bring the news.
  clearInterval(poll);
  await a.thread.stop();
  const stoppedAt = monotonicMs();
  await until(() => b.silent.length >= 2, 3000, 'both paths silent');
  t.deepEqual(b.silent.map((s) => s.path).sort(), ['ipc', 'lan']);
  const after = Math.max(...b.silent.map((s) => s.at)) - stoppedAt;
  t.log(`mate stopped → silence reported: ${Math.round(after)} ms (detection 30 ms)`);
});
