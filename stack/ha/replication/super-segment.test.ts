import test from 'ava';
import { TcpState } from '../../tcp/api.ts';
import { TSO_MAX_PAYLOAD } from '../../tcp/create.ts';
import { IpcSession } from '../ipc/session.ts';
import { CHASSIS, PEER, Rig } from './fixture.ts';

function pattern(n: number, salt: number): Uint8Array {
  return Uint8Array.from({ length: n }, (_, i) => (i * 13 + salt) & 0xff);
}

/** Both boards and the peer with segmentation offload: super-segments both ways. */
function tsoSession(): { rig: Rig; conn: number; fromPeer: Uint8Array; fromChassis: Uint8Array } {
  const rig = new Rig(undefined, undefined, { tsoMaxBytes: TSO_MAX_PAYLOAD });
  rig.replicator.listen({ kind: 'listen', now: 0, port: 7, backlog: 8 }, {});
  rig.peerInput({ kind: 'connect', now: 0, localPort: 30000, remoteAddr: CHASSIS, remotePort: 7 });
  rig.run(5);
  const conn = rig.active.lookup(7, PEER, 30000)!;
  const peerConn = rig.peer.lookup(30000, CHASSIS, 7)!;
  const fromPeer = pattern(200_000, 3);
  const fromChassis = pattern(300_000, 5);
  rig.peerInput({ kind: 'send', now: rig.now, conn: peerConn, bytes: fromPeer });
  rig.chassis({ kind: 'send', now: rig.now, conn, bytes: fromChassis });
  for (let i = 0; i < 60; i++) {
    rig.run(5);
    const got = rig.chassisData.get(conn)?.length ?? 0;
    const consumed = rig.active.info(conn)?.rcvUnconsumed ?? 0;
    if (consumed > 0) rig.chassis({ kind: 'consume', now: rig.now, conn, n: consumed });
    if (got === fromPeer.length && rig.peerData.get(peerConn)?.length === fromChassis.length) break;
  }
  rig.run(300);
  return { rig, conn, fromPeer, fromChassis };
}

test('super-segments (TSO on both boards): records describe them whole, the standby replays to the same state', (t) => {
  const { rig, conn, fromPeer, fromChassis } = tsoSession();
  t.is(rig.active.info(conn)?.state, TcpState.ESTABLISHED);
  t.deepEqual(Uint8Array.from(rig.chassisData.get(conn) ?? []), fromPeer);
  const peerConn = rig.peer.lookup(30000, CHASSIS, 7)!;
  t.deepEqual(Uint8Array.from(rig.peerData.get(peerConn) ?? []), fromChassis);
  const mss = 1460;
  const big = rig.entries.filter(
    (e) => e.kind === 'tcp' && e.event === 'segment' && (e.header?.length ?? 0) > mss,
  );
  t.true(big.length > 0, 'some received segment record is a super-segment');
  t.true(
    rig.applied.every((d) => d.length === 0),
    `mismatches: ${JSON.stringify(rig.applied.filter((d) => d.length))}`,
  );
  t.is(rig.replayer.stats.mismatches, 0);
  t.deepEqual(rig.standby.digest(conn), rig.active.digest(conn));
  t.deepEqual(rig.standby.snapshotConnection(conn), rig.active.snapshotConnection(conn));
  const delivered = rig.entries.reduce(
    (n, e) => n + (e.kind === 'socket-data' && e.direction === 'delivered' ? e.bytes.length : 0),
    0,
  );
  t.is(delivered, fromPeer.length);
});

test('super-segment records survive the IPC codec byte for byte, with and without a key', (t) => {
  const { rig } = tsoSession();
  for (const key of [undefined, new Uint8Array(32).fill(9)]) {
    const tx = new IpcSession({ key });
    const rx = new IpcSession({ key });
    const frames = rig.entries.map((entry, i) =>
      tx.encode({ type: 'log', index: i + 1, epoch: 1, entry }),
    );
    const { records, error } = rx.receive(Buffer.concat(frames));
    t.is(error, undefined);
    t.is(records.length, rig.entries.length);
    records.forEach((r, i) => {
      t.deepEqual(r, { type: 'log', index: i + 1, epoch: 1, entry: rig.entries[i] });
    });
  }
});
