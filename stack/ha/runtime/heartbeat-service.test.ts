/**
 * HaRuntime with a heartbeat service (the daemon's heartbeat thread) instead of heartbeats on
 * its own loop: it checks in with the current role and epoch, sends no heartbeat records,
 * takes the mate's liveness from the service's reports, and turns a hole in its own
 * heartbeats into probation (no transmission meanwhile).
 */
import { EventEmitter } from 'node:events';
import test from 'ava';
import type { HeartbeatFields } from '../heartbeat/beat-protocol.ts';
import type { HeartbeatService, HeartbeatServiceEvents } from '../heartbeat/service.ts';
import type { IpcRecord } from '../ipc/records.ts';
import { HaRuntime } from './ha-runtime.ts';
import { memoryIpcPair } from './memory-ports.ts';

class FakeBeats extends EventEmitter<HeartbeatServiceEvents> implements HeartbeatService {
  checkIns: { now: number; fields: HeartbeatFields }[] = [];
  hole: number | undefined;
  poll(): void {}
  checkIn(now: number, fields: HeartbeatFields): void {
    this.checkIns.push({ now, fields: { ...fields } });
  }
  takeHole(): number | undefined {
    const h = this.hole;
    this.hole = undefined;
    return h;
  }
  holePending(): boolean {
    return this.hole !== undefined;
  }
}

function runtime() {
  let now = 0;
  const beats = new FakeBeats();
  const pair = memoryIpcPair();
  const received: IpcRecord[] = [];
  pair.ports[1].on('record', (r) => received.push(r));
  const rt = new HaRuntime<string>({
    node: { slot: 0, intervalMs: 10, misses: 3 },
    ipc: pair.ports[0],
    heartbeats: beats,
    clock: () => now,
    hooks: {
      applyRecord: () => [],
      onBulkBegin: () => {},
      snapshots: () => [],
      transmit: () => {},
      onAction: () => {},
    },
  });
  pair.connect();
  const step = (ms: number) => {
    for (let i = 0; i < ms; i++) {
      now++;
      if (rt.nextDeadline() <= now) rt.handle(now);
    }
  };
  return { rt, beats, received, step };
}

test('checks in with the current fields and sends no heartbeat records itself', async (t) => {
  const { rt, beats, received, step } = runtime();
  step(200); // boot listen ends: elected active
  await new Promise((r) => setImmediate(r));
  t.is(rt.node.role, 'active');
  const last = beats.checkIns.at(-1)!;
  t.deepEqual(last.fields, { slot: 0, role: 'active', epoch: 1, sync: 'cold', frontDown: false });
  const gaps = beats.checkIns.slice(1).map((c, i) => c.now - beats.checkIns[i]!.now);
  t.true(Math.max(...gaps) <= 10, 'checked in at least every interval');
  t.deepEqual(
    received.filter((r) => r.type === 'heartbeat'),
    [],
    'heartbeats go through the thread only',
  );
  t.true(
    received.some((r) => r.type === 'hello'),
    'other records still flow',
  );
});

test('the mate is alive as reported, not by a timeout on this loop', (t) => {
  const { rt, beats, step } = runtime();
  const hb = {
    slot: 1,
    role: 'active' as const,
    epoch: 4,
    sync: 'hot' as const,
    counter: 1,
    sentAt: 0,
  };
  beats.emit('heard', 'lan', hb, 1);
  t.is(rt.node.role, 'standby', 'an active mate heard while booting');
  step(1000); // no further report: a long stall of this loop
  t.true(rt.status().mate.lan);
  beats.emit('silent', 'lan', 1);
  t.false(rt.status().mate.lan);
});

test('a hole in its own heartbeats: no transmission, then probation with the front closed', (t) => {
  const { rt, beats, step } = runtime();
  step(200);
  t.true(rt.mayTransmit());
  beats.hole = 40;
  t.false(rt.mayTransmit(), 'not even before the loop took the hole');
  t.true(rt.nextDeadline() <= 200, 'handled at once');
  step(1);
  t.false(rt.node.front, 'probation');
  t.false(rt.mayTransmit());
  step(45);
  t.true(rt.node.front, 'probation over after detection + interval');
});
