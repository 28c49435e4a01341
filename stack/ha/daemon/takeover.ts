/**
 * Takeover, socket side: every connection the standby replayed gets a socket again and goes back
 * to the app that owned it, with its offsets and the bytes it had not read yet, so it carries on.
 */

import { parseAddrPort } from '../../apps/config.ts';
import type { RunningApp } from '../../apps/index.ts';
import { decodeHello, HELLO_BYTES } from '../../apps/stream-pattern.ts';
import type { TcpHost } from '../../tcp/host/host.ts';
import { parseIpv4 } from '../../wire/address.ts';
import type { SnapshotRecord } from '../ipc/records.ts';
import type { TakenOverConn } from '../replication/replayer.ts';
import { decodeStreamState } from './stream-state.ts';

export function ownerOf(
  apps: readonly RunningApp[],
  c: TakenOverConn,
): { app: RunningApp; role: 'server' | 'client' } | undefined {
  if (c.info.listenPort >= 0) {
    const app = apps.find((a) => a.spec.port === c.info.listenPort);
    return app ? { app, role: 'server' } : undefined;
  }
  const app = apps.find((a) => {
    if (a.spec.connect === undefined) return false;
    const t = parseAddrPort(a.spec.connect);
    return parseIpv4(t.host) === c.info.remoteAddr >>> 0 && t.port === c.info.remotePort;
  });
  return app ? { app, role: 'client' } : undefined;
}

export function adoptConnections(
  host: TcpHost,
  apps: readonly RunningApp[],
  conns: readonly TakenOverConn[],
  consume: (conn: number, n: number) => void,
  log: (e: Record<string, unknown>) => void,
): void {
  for (const c of conns) {
    const owner = ownerOf(apps, c);
    let bytesRead = c.delivered - c.unconsumed.length;
    let unread = c.unconsumed;
    // Echo writes at the offset it reads: bytes echoed on the old board but not yet consumed
    // there are consumed now, not echoed a second time.
    if (owner?.app.spec.kind === 'echo') {
      const skip = Math.max(0, Math.min(unread.length, c.written - bytesRead));
      if (skip > 0) {
        consume(c.conn, skip);
        bytesRead += skip;
        unread = unread.subarray(skip);
      }
    }
    if (host.socket(c.conn)) {
      // This board served the connection before a planned switchover: its old socket is stale.
      log({ msg: 'connection still has a socket from before; not adopted', conn: c.conn });
      continue;
    }
    const socket = host.adopt(c.conn, {
      sso: true,
      outputRegenerable: c.regenerable,
      bytesRead,
      bytesWritten: c.written,
      unread,
    });
    if (!owner) {
      log({ msg: 'no app owns a taken-over connection', conn: c.conn, port: c.info.localPort });
      continue;
    }
    const resumeFrom =
      owner.app.spec.kind === 'stream' ? streamResume(c, owner.role, bytesRead) : undefined;
    owner.app.adopt(socket, owner.role, resumeFrom);
    if (sendingDone(owner.app, resumeFrom)) socket.shutdown();
  }
}

/**
 * A bounded stream whose last bytes the old board wrote has nothing more to send, and the app
 * does not shut it down again: it takes that as done on the old board. But there the app shuts
 * down only on the next 'drain' after its last write, so a hand-over in between left no FIN in
 * the engine, and the peer would wait for it forever. A second shutdown is a no-op in the engine.
 */
export function sendingDone(
  app: RunningApp,
  resumeFrom: Record<string, unknown> | undefined,
): boolean {
  const limit = app.spec.kind === 'stream' ? app.spec.bytes : undefined;
  const sent = resumeFrom?.sent;
  return limit !== undefined && typeof sent === 'number' && sent > 0 && sent >= limit;
}

/**
 * The stream app's resume state from the replicated seed and the socket offsets. The seed's
 * own record may not have reached the standby (the active died right after the hello): a
 * server then reads it from the hello it replayed; a connection where neither side wrote or
 * consumed anything yet starts afresh (undefined). Empty: no way to resume.
 */
export function streamResume(
  c: Pick<TakenOverConn, 'appState' | 'written' | 'head'>,
  role: 'server' | 'client',
  bytesRead: number,
): Record<string, unknown> | undefined {
  const s = decodeStreamState(c.appState) ?? seedFromHello(c, role, bytesRead);
  if (!s) return c.written === 0 && bytesRead === 0 ? undefined : {};
  const sent = c.written - (role === 'client' ? HELLO_BYTES : 0);
  const verified = bytesRead - (role === 'server' ? HELLO_BYTES : 0);
  if (sent < 0 || verified < 0) return {};
  return { seed: s.seed, role, sent, verified };
}

function seedFromHello(
  c: Pick<TakenOverConn, 'head'>,
  role: 'server' | 'client',
  bytesRead: number,
): { seed: number } | undefined {
  if (role !== 'server' || bytesRead < HELLO_BYTES) return undefined;
  const hello = decodeHello(c.head.subarray(0, HELLO_BYTES));
  return hello.ok ? { seed: hello.seed } : undefined;
}

/**
 * Planned switchover, on the new active right after it rebased its engine onto its own clock:
 * the old active keeps its engine and replays from here on, but its deadlines and RTT clocks
 * are still on the old clock, and the rebase used an estimated offset that board cannot know.
 * The rebased control blocks go first in the new term's log, so both boards go on from exactly
 * the same state (no digest mismatch, no resync).
 */
export function replicateRebasedState(
  snapshots: readonly Omit<SnapshotRecord, 'kind'>[],
  replicate: (entry: SnapshotRecord) => number,
): number {
  for (const s of snapshots) replicate({ kind: 'snapshot', ...s });
  return snapshots.length;
}
