/**
 * The runtime's deadline is a fixed time the event loop can wait for: when a timer fires late,
 * what is due is reported as due (at or before now), not pushed into the future again.
 */
import test from 'ava';
import { HaRuntime } from './ha-runtime.ts';
import { memoryIpcPair, memoryLanPair } from './memory-ports.ts';

function runtime(clock: () => number) {
  const ipc = memoryIpcPair();
  const [lan] = memoryLanPair();
  return new HaRuntime<unknown>({
    node: { slot: 0, intervalMs: 10, misses: 3 },
    ipc: ipc.ports[0],
    lan,
    clock,
    hooks: {
      applyRecord: () => [],
      onBulkBegin: () => {},
      snapshots: () => [],
      transmit: () => {},
      onAction: () => {},
    },
  });
}

test('a deadline that passed stays due until handle() runs, then moves on', (t) => {
  let now = 1000;
  const rt = runtime(() => now);
  const first = rt.nextDeadline();
  t.true(first <= now, 'the first heartbeat is due at once');
  rt.handle(now);
  const next = rt.nextDeadline();
  t.true(next > now, 'after handle() the next deadline is in the future');
  now = next + 25; // the timer fired late
  t.is(rt.nextDeadline(), next, 'still the same fixed time, now overdue');
  rt.handle(now);
  t.true(rt.nextDeadline() > now);
});

test('the boot election deadline is reported and reached without an extra tick', (t) => {
  let now = 0;
  const rt = runtime(() => now);
  let guard = 0;
  while (rt.node.role === 'booting' && guard++ < 100) {
    now = Math.max(now, rt.nextDeadline());
    rt.handle(now);
  }
  t.is(rt.node.role, 'active');
  // boot listen = 2 x detection (30) + interval (10) = 70 ms: elected at that time exactly
  t.is(now, 70);
});
