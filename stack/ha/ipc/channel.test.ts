import { Duplex } from 'node:stream';
import test from 'ava';
import { OutputGate } from '../log/output-gate.ts';
import { ReplayTracker } from '../log/replay-tracker.ts';
import { ReplicationLog } from '../log/replication-log.ts';
import { closedByMate, IpcChannel } from './channel.ts';
import { encodeFrame } from './frame.ts';
import { memoryDuplexPair } from './memory-duplex.ts';
import type { IpcRecord } from './records.ts';

const key = new Uint8Array(32).fill(9);
const until = async (cond: () => boolean, ms = 5000) => {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setImmediate(r));
  }
};

/** Active and standby over an in-memory duplex that splits writes into 5-byte pieces. */
function pair(window = { maxRecords: 8, maxBytes: 1 << 20 }) {
  const [a, b] = memoryDuplexPair(5);
  const active = new IpcChannel(a, { key, window });
  const standby = new IpcChannel(b, { key, window });
  const tracker = new ReplayTracker(1);
  // The standby applies each record and confirms once per batch of arrivals.
  standby.on('record', (rec) => {
    if (rec.type !== 'log') return;
    if (tracker.admit(rec).verdict === 'apply') tracker.markApplied(rec.index);
    queueMicrotask(() => {
      const c = tracker.confirmation();
      if (c) standby.send(c);
    });
  });
  return { active, standby, tracker };
}

test('pipelined records, cumulative confirmations, gate released in order', async (t) => {
  const { active } = pair();
  const log = new ReplicationLog(1);
  const gate = new OutputGate<number>();
  gate.setWaiting(true, 0);
  const sent: number[] = [];
  active.on('record', (rec) => {
    if (rec.type === 'confirm') {
      log.confirm(rec.index, rec.epoch);
      for (const r of gate.confirm(rec.index, 0)) sent.push(r.output);
    }
  });
  for (let i = 0; i < 6; i++) {
    const rec = log.append({ kind: 'app', conn: 1, data: new Uint8Array([i]) });
    active.send(rec);
    gate.submit(i, rec.index, 0);
  }
  t.deepEqual(sent, [], 'nothing leaves before its record is confirmed');
  await until(() => sent.length === 6);
  t.deepEqual(sent, [0, 1, 2, 3, 4, 5]);
  t.true(log.drained);
});

test('back-pressure: canSend false at the window, drain when confirmations open it', async (t) => {
  const { active } = pair({ maxRecords: 4, maxBytes: 1 << 20 });
  const log = new ReplicationLog(1);
  let drains = 0;
  active.on('drain', () => drains++);
  let n = 0;
  while (active.canSend()) {
    active.send(log.append({ kind: 'app', conn: 1, data: new Uint8Array(1) }));
    n++;
  }
  t.is(n, 4);
  t.false(
    active.send({
      type: 'heartbeat',
      slot: 0,
      role: 'active',
      epoch: 1,
      sync: 'hot',
      counter: 1,
      sentAt: 0,
    }),
  );
  await until(() => drains === 1);
  t.true(active.canSend());
  t.is(active.inFlight.records, 0);
});

test('a frame with a bad MAC closes the channel with a logged, typed reason', async (t) => {
  const [a, b] = memoryDuplexPair();
  const logged: unknown[] = [];
  const rx = new IpcChannel(b, { key, log: (e) => logged.push(e) });
  const refused: string[] = [];
  const closed: string[] = [];
  rx.on('refused', (e) => refused.push(e.code));
  rx.on('close', (r) => closed.push(r));
  const received: IpcRecord[] = [];
  rx.on('record', (r) => received.push(r));
  a.write(encodeFrame(4, 0, new Uint8Array(16), new Uint8Array(32).fill(1)));
  await until(() => closed.length === 1);
  t.deepEqual(refused, ['IPC_BAD_MAC']);
  t.deepEqual(received, []);
  t.like(logged[0], { level: 'warn', code: 'IPC_BAD_MAC' });
  t.false(rx.isOpen);
});

test('a slow stream blocks sending only past maxQueuedBytes, and drain follows', async (t) => {
  // A stream that accepts writes but completes none until released (a full socket).
  const pending: (() => void)[] = [];
  const slow = new Duplex({
    read() {},
    write(_chunk, _enc, done) {
      pending.push(done);
    },
  });
  const channel = new IpcChannel(slow, {
    window: { maxRecords: 1 << 20, maxBytes: 1 << 30 },
    maxQueuedBytes: 64 * 1024,
  });
  let drains = 0;
  channel.on('drain', () => drains++);
  const log = new ReplicationLog(1);
  const data = new Uint8Array(1000);
  let sent = 0;
  while (channel.canSend() && sent < 1000) {
    channel.send(log.append({ kind: 'app', conn: 1, data }));
    sent++;
  }
  // The stream's own high-water mark (16 KiB) passed after ~16 records; the bound is 64 KiB.
  t.true(sent > 40, `blocked after ${sent} records`);
  t.true(sent < 1000);
  t.true(slow.writableLength >= 64 * 1024);
  t.false(channel.canSend());
  t.is(drains, 0);
  await until(() => pending.length > 0);
  // Complete every write (more arrive as the cork is lifted): the stream drains.
  await until(() => {
    for (const done of pending.splice(0)) done();
    return drains === 1;
  });
  t.true(channel.canSend());
});

test('closedByMate: the mate ending the stream (FIN, RST) against timeouts and local closes', (t) => {
  t.true(closedByMate('mate closed the stream'));
  t.true(closedByMate('stream error: read ECONNRESET'));
  t.true(closedByMate('stream error: write EPIPE'));
  t.false(closedByMate('stream error: read ETIMEDOUT'));
  t.false(closedByMate('ipc heartbeats silent'));
  t.false(closedByMate('closed locally'));
  t.false(closedByMate('refused: BAD_MAC'));
});
