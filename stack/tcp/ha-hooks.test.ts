import test from 'ava';
import { TcpError } from './errors.ts';
import { LOCAL, REMOTE, Script, seg } from './sim/script.ts';
import { restoreTcb, serializeTcb } from './tcb.ts';

/** Three established passive connections with data in flight (timers armed). */
function three() {
  const s = new Script({ rcvBuf: 4096 });
  s.run({ kind: 'listen', now: 0, port: 80, backlog: 8 });
  for (const port of [1001, 1002, 1003]) {
    s.run({
      kind: 'segment',
      now: 0,
      src: REMOTE,
      dst: LOCAL,
      segment: seg({ flags: 'S', seq: 1, srcPort: port }),
    });
    const iss = s.outs.find((o) => o.kind === 'segment')!;
    const synack = iss.kind === 'segment' ? iss.segment.seq : 0;
    s.run({
      kind: 'segment',
      now: 5,
      src: REMOTE,
      dst: LOCAL,
      segment: seg({ flags: '.', seq: 2, ack: synack + 1, srcPort: port }),
    });
  }
  const ids = s.engine.connections();
  ids.forEach((c, i) => {
    s.run({ kind: 'send', now: 10 + i, conn: c, bytes: new Uint8Array(100) });
  });
  return { s, ids };
}

test('takeDueConnections + per-connection timer inputs = one global timer input', (t) => {
  const x = three();
  const y = three();
  t.deepEqual(x.s.engine.serialize(), y.s.engine.serialize());
  t.deepEqual(x.s.engine.dueConnections(209), []);
  t.deepEqual(x.s.engine.dueConnections(500), x.ids);
  const due = x.s.engine.takeDueConnections(500);
  t.deepEqual(due, x.ids);
  for (const c of due) x.s.run({ kind: 'timer', now: 500, conn: c });
  y.s.run({ kind: 'timer', now: 500 });
  t.deepEqual(x.s.engine.serialize(), y.s.engine.serialize());
  t.is(x.s.engine.nextDeadline(), y.s.engine.nextDeadline());
});

test('connection snapshots round-trip exactly, buffers included; bad snapshots are refused', (t) => {
  const { s, ids } = three();
  const c = ids[1]!;
  s.run({ kind: 'send', now: 20, conn: c, bytes: new Uint8Array(5000).fill(9) });
  const snap = s.engine.snapshotConnection(c);
  t.deepEqual(serializeTcb(restoreTcb(snap)), snap);
  t.is(restoreTcb(snap).sendQueue.length, 5100);
  const err = t.throws(() => restoreTcb(snap.subarray(0, 50)), { instanceOf: TcpError });
  t.is(err?.code, 'TCP_BAD_SNAPSHOT');
  t.throws(() => restoreTcb(new Uint8Array(400)), { instanceOf: TcpError });
  // Restored into another engine, the connection routes and answers the same way.
  const other = new Script({ rcvBuf: 4096 });
  t.is(other.engine.restoreConnection(snap), c);
  const info = other.engine.info(c)!;
  t.is(other.engine.lookup(info.localPort, info.remoteAddr, info.remotePort), c);
  t.deepEqual(other.engine.digest(c), s.engine.digest(c));
});

test('a snapshot may carry the send queue as its length: zeros once restored, the bytes put back later', (t) => {
  const { s, ids } = three();
  const c = ids[1]!;
  const bytes = Uint8Array.from({ length: 40_000 }, (_, i) => (i * 13) & 0xff);
  s.run({ kind: 'send', now: 20, conn: c, bytes });
  const full = s.engine.snapshotConnection(c);
  const lean = s.engine.snapshotConnection(c, { sendQueueAsLength: true });
  const queued = s.engine.info(c)!.sendQueued;
  t.is(full.length - lean.length, queued);
  const other = new Script({ rcvBuf: 4096 });
  t.is(other.engine.restoreConnection(lean), c);
  t.is(other.engine.info(c)!.sendQueued, queued);
  t.deepEqual(other.engine.digest(c), s.engine.digest(c));
  t.true(
    restoreTcb(lean)
      .sendQueue.contents()
      .every((b) => b === 0),
  );
  other.engine.rewriteSendQueue(c, restoreTcb(full).sendQueue.contents());
  t.deepEqual(other.engine.snapshotConnection(c), full);
  // The queue form is checked like every other field (it sits after the SACK scoreboard).
  const bad = lean.slice();
  const form = bad.length - 4 * 7; // form, length, ooo limit (8), lastSeq (8), ranges
  t.is(new DataView(bad.buffer).getUint32(form, true), 1);
  new DataView(bad.buffer).setUint32(form, 9, true);
  const err = t.throws(() => restoreTcb(bad), { instanceOf: TcpError });
  t.regex(err?.message ?? '', /send queue form 9/);
});

test('rebase moves every deadline by the offset; unknown connection ids are an error', (t) => {
  const { s, ids } = three();
  const before = s.engine.digest(ids[0]!)!;
  s.engine.rebase(1000);
  const after = s.engine.digest(ids[0]!)!;
  t.is(after.rtxDeadline, before.rtxDeadline + 1000);
  t.is(after.persistDeadline, -1);
  t.is(s.engine.nextDeadline(), before.rtxDeadline + 1000);
  const err = t.throws(() => s.run({ kind: 'send', now: 0, conn: 999, bytes: new Uint8Array(1) }), {
    instanceOf: TcpError,
  });
  t.is(err?.code, 'TCP_NO_CONNECTION');
});
