/**
 * Bytes the app consumes at once (a discard or BGP reader): the standby gets their place in the
 * stream only (`consumed` records), and the segment's outputs wait until those records left.
 */
import test from 'ava';
import { TcpState } from '../../tcp/api.ts';
import type { LogEntry } from '../ipc/records.ts';
import { AWAITING_RECORDS } from '../log/output-gate.ts';
import { CHASSIS, PEER, Rig, type RigSocketLayer } from './fixture.ts';

function pattern(n: number, salt: number): Uint8Array {
  return Uint8Array.from({ length: n }, (_, i) => (i * 31 + salt) & 0xff);
}

/** An SSO connection from the peer to port 7; the peer sends `sizes` one after the other. */
function peerSends(layer: RigSocketLayer, sizes: number[]): { rig: Rig; conn: number } {
  const rig = new Rig(undefined, undefined, {}, layer);
  rig.replicator.listen({ kind: 'listen', now: 0, port: 7, backlog: 8 }, {});
  rig.peerInput({ kind: 'connect', now: 0, localPort: 30000, remoteAddr: CHASSIS, remotePort: 7 });
  rig.run(5);
  const conn = rig.active.lookup(7, PEER, 30000)!;
  const peerConn = rig.peer.lookup(30000, CHASSIS, 7)!;
  sizes.forEach((n, i) => {
    rig.peerInput({ kind: 'send', now: rig.now, conn: peerConn, bytes: pattern(n, i) });
    rig.run(50);
  });
  return { rig, conn };
}

/** Stream bytes the entries of one kind describe. */
function sum(entries: LogEntry[], kind: 'socket-data' | 'consumed'): number {
  let n = 0;
  for (const e of entries) {
    if (kind === 'socket-data' && e.kind === 'socket-data') n += e.bytes.length;
    if (kind === 'consumed' && e.kind === 'consumed') n += e.length;
  }
  return n;
}

test('bytes consumed at once go as their length only, after the head; the standby follows', (t) => {
  const { rig, conn } = peerSends({ deferRecords: true, appConsumes: true }, [10, 3000, 20000]);
  const received = rig.chassisData.get(conn)!.length;
  t.is(received, 23010);
  // The first bytes (an app's opening) always travel; everything after went as lengths.
  t.true(sum(rig.entries, 'socket-data') >= 10);
  t.true(sum(rig.entries, 'socket-data') < 3010, `bytes sent ${sum(rig.entries, 'socket-data')}`);
  t.is(sum(rig.entries, 'socket-data') + sum(rig.entries, 'consumed'), received);
  t.is(rig.replicator.stats.consumedBytes, sum(rig.entries, 'consumed'));
  // Each consumed record sits ahead of the segment record that commits it and stands for the
  // app's consume: no consume record follows.
  const consumedAt = rig.entries.flatMap((e, i) => (e.kind === 'consumed' ? [i] : []));
  t.true(consumedAt.length > 0);
  for (const i of consumedAt) {
    t.like(rig.entries[i + 1], { kind: 'tcp', event: 'segment' });
    const next = rig.entries[i + 2];
    t.false(next?.kind === 'tcp' && next.event === 'consume', `record ${i + 2}`);
  }
  t.true(
    rig.applied.every((d) => d.length === 0),
    'no digest mismatch',
  );
  t.deepEqual(rig.standby.snapshotConnection(conn), rig.active.snapshotConnection(conn));
  const { conns } = rig.replayer.takeover(rig.now, false);
  t.like(conns[0], { conn, delivered: received });
  t.is(conns[0]!.unconsumed.length, 0);
});

test('a segment input that deferred its records says so; its outputs wait for the segment record', (t) => {
  const { rig } = peerSends({ deferRecords: true, appConsumes: true }, [10, 3000]);
  const deferred = rig.results.filter((r) => r.dependsOn === AWAITING_RECORDS);
  t.true(deferred.length > 0);
  t.true(rig.resolved.length >= deferred.length);
  for (const index of rig.resolved)
    t.like(rig.entries[index - 1], { kind: 'tcp', event: 'segment' });
});

test('bytes the app leaves unread travel whole, ahead of the next input', (t) => {
  const { rig, conn } = peerSends({ deferRecords: true }, [10, 3000]);
  t.is(rig.replicator.stats.consumedBytes, 0);
  t.is(sum(rig.entries, 'socket-data'), 3010);
  const { conns } = rig.replayer.takeover(rig.now, false);
  t.deepEqual([...conns[0]!.unconsumed], [...pattern(10, 0), ...pattern(3000, 1)]);
  t.is(rig.active.info(conn)?.state, TcpState.ESTABLISHED);
});

test('without a standby replicating at once nothing is deferred', (t) => {
  const { rig } = peerSends({ appConsumes: true }, [10, 3000, 20000]);
  t.false(rig.results.some((r) => r.dependsOn === AWAITING_RECORDS));
  t.is(rig.replicator.stats.consumedBytes, 0);
  t.is(sum(rig.entries, 'socket-data'), 23010);
});

test('the standby replays the consume a consumed record stands for with its segment record, not before', (t) => {
  const { rig, conn } = peerSends({ deferRecords: true, appConsumes: true }, [10, 3000]);
  const last = rig.entries.findLastIndex((e) => e.kind === 'consumed');
  const lastBytes = (rig.entries[last] as { length: number }).length;
  t.like(rig.entries[last + 1], { kind: 'tcp', event: 'segment' });
  const replay = (upTo: number): Rig => {
    const r = new Rig();
    for (const e of rig.entries.slice(0, upTo)) r.replayer.apply(e, rig.now);
    return r;
  };
  // Cut before the segment record: those bytes are neither delivered nor consumed there.
  const before = replay(last + 1);
  t.like(before.replayer.takeover(rig.now, false).conns[0], { conn, delivered: 3010 - lastBytes });
  // With it: delivered, consumed, and the engine's window free again.
  const withIt = replay(last + 2);
  t.is(withIt.standby.info(conn)!.rcvUnconsumed, 0);
  const { conns } = withIt.replayer.takeover(rig.now, false);
  t.like(conns[0], { conn, delivered: 3010 });
  t.is(conns[0]!.unconsumed.length, 0);
});
