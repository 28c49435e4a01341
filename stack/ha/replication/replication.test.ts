import test from 'ava';
import { TcpState } from '../../tcp/api.ts';
import { decodeSegmentDetail, encodeSegmentDetail } from './detail-codec.ts';
import { CHASSIS, PEER, Rig } from './fixture.ts';
import { HEAD_BYTES } from './replayer.ts';

function pattern(n: number, salt: number): Uint8Array {
  return Uint8Array.from({ length: n }, (_, i) => (i * 31 + salt) & 0xff);
}

/** Peer opens to chassis port 7 (SSO or not), both sides write; returns the chassis conn id. */
function session(rig: Rig, sso: boolean): number {
  rig.replicator.listen({ kind: 'listen', now: 0, port: 7, backlog: 8 }, sso ? {} : undefined);
  rig.peerInput({ kind: 'connect', now: 0, localPort: 30000, remoteAddr: CHASSIS, remotePort: 7 });
  rig.run(5);
  const conn = rig.active.lookup(7, PEER, 30000)!;
  const peerConn = rig.peer.lookup(30000, CHASSIS, 7)!;
  rig.peerInput({ kind: 'send', now: rig.now, conn: peerConn, bytes: pattern(5000, 1) });
  rig.run(5);
  rig.chassis({ kind: 'send', now: rig.now, conn, bytes: pattern(70000, 2) });
  rig.chassis({ kind: 'consume', now: rig.now, conn, n: 3000 });
  rig.run(300);
  return conn;
}

/** The peer opens to chassis port 7, an SSO port whose app declares its output regenerable. */
function regenerableConn(rig: Rig, localPort: number): number {
  rig.replicator.listen({ kind: 'listen', now: 0, port: 7, backlog: 8 }, { regenerable: true });
  rig.peerInput({ kind: 'connect', now: 0, localPort, remoteAddr: CHASSIS, remotePort: 7 });
  rig.run(5);
  return rig.active.lookup(7, PEER, localPort)!;
}

test('non-SSO connections cause no records at all', (t) => {
  const rig = new Rig();
  const conn = session(rig, false);
  t.is(rig.active.info(conn)?.state, TcpState.ESTABLISHED);
  t.is(rig.entries.length, 0);
  t.is(rig.replicator.stats.records, 0);
});

test('the standby replays an SSO connection to the same state, send queue included', (t) => {
  const rig = new Rig();
  const conn = session(rig, true);
  t.true(rig.entries.length > 10);
  t.true(
    rig.applied.every((d) => d.length === 0),
    `mismatches: ${JSON.stringify(rig.applied.filter((d) => d.length))}`,
  );
  t.deepEqual(rig.standby.digest(conn), rig.active.digest(conn));
  t.deepEqual(rig.standby.snapshotConnection(conn), rig.active.snapshotConnection(conn));
  // TCP records carry header fields and no stream bytes; the bytes travel as socket data.
  for (const e of rig.entries) if (e.kind === 'tcp') t.false(e.detail.length > 64);
  const written = rig.entries.filter((e) => e.kind === 'socket-data' && e.direction === 'written');
  t.is(
    written.reduce((n, e) => n + (e.kind === 'socket-data' ? e.bytes.length : 0), 0),
    70000,
  );
  const kinds = new Set(rig.entries.map((e) => (e.kind === 'tcp' ? `tcp:${e.event}` : e.kind)));
  for (const k of ['snapshot', 'tcp:segment', 'tcp:send', 'tcp:consume', 'socket-data'])
    t.true(kinds.has(k), k);
  t.is(rig.replayer.stats.mismatches, 0);
});

test('a regenerable app mirrors only offsets; the standby regenerates at takeover what is still queued', (t) => {
  const regenerated: [number, number][] = [];
  const rig = new Rig((_c, _info, offset, length) => {
    regenerated.push([offset, length]);
    return pattern(offset + length, 2).subarray(offset);
  });
  const conn = regenerableConn(rig, 30001);
  rig.chassis({ kind: 'send', now: rig.now, conn, bytes: pattern(40000, 2) });
  rig.run(5);
  rig.chassis({ kind: 'send', now: rig.now, conn, bytes: pattern(50000, 2).subarray(40000) });
  rig.replay();
  t.false(rig.entries.some((e) => e.kind === 'socket-data' && e.direction === 'written'));
  t.deepEqual(regenerated, [], 'nothing generated while replaying');
  const queued = rig.active.info(conn)!.sendQueued;
  t.true(queued > 0);
  const active = rig.active.snapshotConnection(conn);
  rig.replayer.takeover(rig.now, false);
  t.deepEqual(regenerated, [[50000 - queued, queued]], 'only what is still unacknowledged');
  t.deepEqual(rig.standby.snapshotConnection(conn), active, 'send queue bytes included');
});

test('takeover: unconsumed bytes and offsets come back, deadlines move to the new clock, resume answers', (t) => {
  const rig = new Rig();
  const conn = session(rig, true);
  const before = rig.standby.digest(conn)!;
  // Another 1000 bytes in flight to the chassis, unconsumed when the active dies.
  const peerConn = rig.peer.lookup(30000, CHASSIS, 7)!;
  rig.peerInput({ kind: 'send', now: rig.now, conn: peerConn, bytes: pattern(1000, 9) });
  rig.run(3);
  rig.chassis({ kind: 'send', now: rig.now, conn, bytes: pattern(500, 4) });
  rig.replay();
  t.is(rig.standby.info(conn)?.sendQueued, rig.active.info(conn)?.sendQueued);
  const localNow = rig.now + 50_000;
  rig.replayer.observeClock(rig.now, localNow);
  const { outputs, conns } = rig.replayer.takeover(localNow);
  const c = conns.find((x) => x.conn === conn)!;
  t.is(c.delivered, 6000);
  t.is(c.unconsumed.length, 3000);
  t.deepEqual([...c.unconsumed], [...pattern(5000, 1).subarray(3000), ...pattern(1000, 9)]);
  t.is(c.written, 70500);
  t.true(outputs.some((o) => o.kind === 'segment' && o.conn === conn));
  for (const o of outputs)
    if (o.kind === 'segment') t.true(o.segment.options.timestamp !== undefined);
  const after = rig.standby.digest(conn)!;
  t.true(before.rto > 0);
  if (after.rtxDeadline >= 0) t.true(after.rtxDeadline >= localNow);
});

test('a digest mismatch is counted, the connection waits for a snapshot, the snapshot heals it', (t) => {
  const rig = new Rig();
  const conn = session(rig, true);
  const rec = rig.entries.findLast((e) => e.kind === 'tcp')!;
  if (rec.kind !== 'tcp') return t.fail();
  const forged = { ...rec, vars: { ...rec.vars, rcvNxt: (rec.vars.rcvNxt + 1) >>> 0 } };
  t.deepEqual(rig.replayer.apply(forged, rig.now), ['rcvNxt']);
  t.is(rig.replayer.stats.mismatches, 1);
  t.true(rig.replayer.isAwaitingSnapshot(conn));
  for (const s of rig.replicator.snapshots(conn))
    t.deepEqual(rig.replayer.apply({ kind: 'snapshot', ...s }), []);
  t.false(rig.replayer.isAwaitingSnapshot(conn));
  t.deepEqual(rig.standby.snapshotConnection(conn), rig.active.snapshotConnection(conn));
});

test('bad records are refused with a reason, never a crash', (t) => {
  const rig = new Rig();
  const conn = session(rig, true);
  const rec = rig.entries.find((e) => e.kind === 'tcp' && e.event === 'segment')!;
  if (rec.kind !== 'tcp') return t.fail();
  t.deepEqual(rig.replayer.apply({ ...rec, detail: new Uint8Array([255]) }), ['(REPL_BAD_DETAIL)']);
  t.deepEqual(rig.replayer.apply({ ...rec, conn: 999 }), ['(REPL_UNKNOWN_CONN)']);
  t.deepEqual(rig.replayer.apply({ kind: 'snapshot', conn, at: 0, snapshot: new Uint8Array(10) }), [
    '(REPL_BAD_DETAIL)',
  ]);
  t.is(rig.replayer.stats.errors, 3);
});

test('segment detail round-trips every option', (t) => {
  const options = {
    mss: 1460,
    wscale: 7,
    sackPermitted: true,
    timestamp: { value: 0xfffffff0, echo: 12 },
    sack: [
      { left: 1, right: 2 },
      { left: 0xffffff00, right: 5 },
    ],
  };
  t.deepEqual(decodeSegmentDetail(encodeSegmentDetail(3, options)), { urgent: 3, options });
  t.deepEqual(decodeSegmentDetail(encodeSegmentDetail(0, {})), { urgent: 0, options: {} });
});

test('closing an SSO connection ends with a closed record and the standby forgets it', (t) => {
  const rig = new Rig();
  const conn = session(rig, true);
  const peerConn = rig.peer.lookup(30000, CHASSIS, 7)!;
  rig.chassis({ kind: 'consume', now: rig.now, conn, n: 2000 });
  rig.chassis({ kind: 'shutdown', now: rig.now, conn });
  rig.run(5);
  rig.peerInput({ kind: 'shutdown', now: rig.now, conn: peerConn });
  rig.run(1500);
  t.is(rig.active.info(conn), undefined);
  t.true(rig.entries.some((e) => e.kind === 'closed' && e.conn === conn));
  t.is(rig.standby.info(conn), undefined);
  t.deepEqual(rig.replayer.connections(), []);
});

test('app state goes ahead of the write that needs it; unknown state means the bytes are mirrored', (t) => {
  let state: Uint8Array | null = null;
  const seen: number[][] = [];
  const rig = new Rig(
    (_c, _info, offset, length, appState) => {
      seen.push([...appState]);
      return pattern(offset + length, 2).subarray(offset);
    },
    () => state,
  );
  const conn = regenerableConn(rig, 30002);
  rig.chassis({ kind: 'send', now: rig.now, conn, bytes: pattern(100, 2) });
  const mirrored = rig.entries.filter((e) => e.kind === 'socket-data' && e.direction === 'written');
  t.is(mirrored.length, 1, 'state unknown: the write is mirrored');
  state = new Uint8Array([1, 2, 3]);
  const from = rig.entries.length;
  rig.chassis({ kind: 'send', now: rig.now, conn, bytes: pattern(300, 2).subarray(100) });
  const added = rig.entries.slice(from).map((e) => (e.kind === 'tcp' ? `tcp:${e.event}` : e.kind));
  t.deepEqual(added, ['app', 'tcp:send']);
  rig.replay();
  t.is(rig.replayer.stats.mismatches, 0);
  const active = rig.active.snapshotConnection(conn);
  rig.replayer.takeover(rig.now, false);
  t.deepEqual(seen, [[1, 2, 3]], 'regenerated at takeover with the state replicated first');
  t.deepEqual(rig.standby.snapshotConnection(conn), active);
});

test('takeover: the first delivered bytes come back even after the app consumed them', (t) => {
  const rig = new Rig();
  const conn = session(rig, true);
  rig.replay();
  const { conns } = rig.replayer.takeover(rig.now);
  const c = conns.find((x) => x.conn === conn)!;
  t.true(c.delivered > 3000 && c.unconsumed.length < c.delivered, 'the head was consumed');
  t.deepEqual([...c.head], [...pattern(5000, 1).subarray(0, HEAD_BYTES)]);
});

test('a regenerable stream is snapshotted with its queue as a length; the standby regenerates it at takeover', (t) => {
  let state: Uint8Array | null = null;
  const regenerated: [number, number, number[]][] = [];
  const rig = new Rig(
    (_c, _info, offset, length, appState) => {
      regenerated.push([offset, length, [...appState]]);
      return pattern(offset + length, 2).subarray(offset);
    },
    () => state,
  );
  const conn = regenerableConn(rig, 30003);
  rig.chassis({ kind: 'send', now: rig.now, conn, bytes: pattern(100_000, 2) });
  const [unknown] = rig.replicator.snapshots(conn);
  t.true(unknown!.snapshot.length > 100_000, 'app state unknown: the queued bytes go along');
  state = new Uint8Array([7, 7]);
  rig.run(3);
  const queued = rig.active.info(conn)!.sendQueued;
  t.true(queued > 50_000, `${queued} bytes queued`);
  // A standby joining now: bulk sync from snapshots alone.
  rig.replay();
  rig.replayer.reset();
  const snaps = rig.replicator.snapshots(null, rig.now);
  t.is(snaps.length, 1);
  t.true(snaps[0]!.snapshot.length < 2000, `snapshot of ${snaps[0]!.snapshot.length} bytes`);
  for (const s of snaps) t.deepEqual(rig.replayer.apply({ kind: 'snapshot', ...s }, rig.now), []);
  t.is(rig.standby.info(conn)?.sendQueued, queued);
  rig.chassis({ kind: 'send', now: rig.now, conn, bytes: pattern(150_000, 2).subarray(100_000) });
  rig.run(4);
  t.is(rig.replayer.stats.mismatches, 0);
  t.deepEqual(regenerated, [], 'nothing generated while replaying');
  const left = rig.active.info(conn)!.sendQueued;
  const active = rig.active.snapshotConnection(conn);
  rig.replayer.takeover(rig.now, false);
  t.deepEqual(regenerated, [[150_000 - left, left, [7, 7]]], 'the state came with the snapshot');
  t.deepEqual(rig.standby.snapshotConnection(conn), active, 'the real bytes are back');
});

test('a stream that cannot be regenerated at takeover is dropped with a reason; the others carry on', (t) => {
  const rig = new Rig((c, _info, offset, length) => {
    if (c === broken) throw new Error('stream state unknown');
    return pattern(offset + length, 2).subarray(offset);
  });
  rig.replicator.listen({ kind: 'listen', now: 0, port: 7, backlog: 8 }, { regenerable: true });
  for (const port of [30004, 30005])
    rig.peerInput({ kind: 'connect', now: 0, localPort: port, remoteAddr: CHASSIS, remotePort: 7 });
  rig.run(5);
  const broken = rig.active.lookup(7, PEER, 30004)!;
  const fine = rig.active.lookup(7, PEER, 30005)!;
  for (const conn of [broken, fine])
    rig.chassis({ kind: 'send', now: rig.now, conn, bytes: pattern(80_000, 2) });
  rig.replay();
  const { conns } = rig.replayer.takeover(rig.now, false);
  t.deepEqual(
    conns.map((c) => c.conn),
    [fine],
  );
  t.is(rig.standby.info(broken), undefined);
  t.deepEqual(
    rig.replayLog.map((e) => [e.msg, e.conn, e.reason]),
    [['connection dropped at takeover (output not regenerable)', broken, 'stream state unknown']],
  );
});

test('the clock offset holds for one active: a bulk sync or a hand-over starts it afresh', (t) => {
  const rig = new Rig();
  const conn = session(rig, true);
  t.is(rig.replayer.clockOffset, 0, 'replayed on the same clock');
  // A new active whose clock started 60 s after this board's (a restarted daemon): its
  // timestamps are smaller, so the old minimum would stay and be 60 s off.
  rig.replayer.reset();
  t.is(rig.replayer.clockOffset, undefined);
  rig.chassis({ kind: 'send', now: rig.now, conn, bytes: pattern(500, 4) }); // arms the RTO
  const [snap] = rig.replicator.snapshots(conn, rig.now - 60_000);
  rig.replayer.apply({ kind: 'snapshot', ...snap! }, rig.now);
  t.is(rig.replayer.clockOffset, 60_000, 'learnt from this active alone');
  const before = rig.standby.digest(conn)!;
  rig.replayer.takeover(rig.now, false);
  const after = rig.standby.digest(conn)!;
  const armed = (['rtxDeadline', 'ackDeadline', 'keepaliveDeadline'] as const).filter(
    (f) => before[f] >= 0,
  );
  t.true(armed.length > 0, 'some deadline to move');
  for (const f of armed) t.is(after[f], before[f] + 60_000, f);
  // Handing over: the mate's clock from now on.
  rig.replayer.adopt([]);
  t.is(rig.replayer.clockOffset, undefined);
});
