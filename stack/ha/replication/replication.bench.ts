/**
 * `npm run bench:ha`: the cost of replication without I/O. Throughput of a bulk transfer from
 * an SSO connection (records framed by the IPC codec and replayed on a standby engine) against
 * the same transfer without SSO; bulk sync of 1,000 and 10,000 idle connections (snapshot,
 * frame, install) and the size of the standby's state for them.
 */
import os from 'node:os';
import type { TcpInput, TcpOutput } from '../../tcp/api.ts';
import { TcpEngine } from '../../tcp/engine.ts';
import type { LogEntry } from '../ipc/records.ts';
import { IpcSession } from '../ipc/session.ts';
import { Replayer } from './replayer.ts';
import { SsoReplicator } from './replicator.ts';

const CHASSIS = 0xc6120201;
const PEER = 0xc6120264;
const MB = 1024 * 1024;

function engines() {
  const cfg = { isnSecret: new Uint8Array(16).fill(1) };
  return {
    active: new TcpEngine({ ...cfg, localAddr: CHASSIS }),
    standby: new TcpEngine({ ...cfg, localAddr: CHASSIS }),
    peer: new TcpEngine({ ...cfg, localAddr: PEER }),
  };
}

/** Active, framed log, standby: every entry is encoded, decoded and replayed at once. */
function replicated(
  active: TcpEngine,
  standby: TcpEngine,
  sso: boolean,
  opts: { replay?: boolean; regenerable?: boolean } = {},
) {
  const tx = new IpcSession();
  const rx = new IpcSession();
  const replayer = new Replayer(standby, (_c, _i, _o, length) => new Uint8Array(length).fill(7));
  const replay = opts.replay !== false;
  let index = 0;
  let records = 0;
  let bytes = 0;
  const sink = {
    replicate: (entry: LogEntry) => {
      const frame = tx.encode({ type: 'log', index: ++index, epoch: 1, entry });
      bytes += frame.length;
      records++;
      if (replay)
        for (const r of rx.receive(frame).records) if (r.type === 'log') replayer.apply(r.entry);
      return index;
    },
  };
  const rep = new SsoReplicator(active, sink);
  rep.listen(
    { kind: 'listen', now: 0, port: 80, backlog: 100_000 },
    sso ? { regenerable: opts.regenerable === true } : undefined,
  );
  return { rep, replayer, stats: () => ({ records, bytes }) };
}

/** Lossless zero-delay wire between the replicated active and the peer; returns outputs' ms. */
function transfer(
  sso: boolean,
  total: number,
  opts: { replay?: boolean; regenerable?: boolean } = {},
) {
  const { active, standby, peer } = engines();
  const r = replicated(active, standby, sso, opts);
  let now = 0;
  const toChassis: TcpInput[] = [];
  const toPeer: TcpInput[] = [];
  const route = (out: TcpOutput[], to: TcpInput[]) => {
    for (const o of out)
      if (o.kind === 'segment')
        to.push({ kind: 'segment', now, src: o.src, dst: o.dst, segment: o.segment });
  };
  let received = 0;
  const peerIn = (i: TcpInput) => {
    const out = peer.handle(i);
    route(out, toChassis);
    for (const o of out)
      if (o.kind === 'data') {
        received += o.bytes.length;
        route(peer.handle({ kind: 'consume', now, conn: o.conn, n: o.bytes.length }), toChassis);
      }
  };
  const chassisIn = (i: TcpInput) => route(r.rep.handle(i).outputs, toPeer);
  peerIn({ kind: 'connect', now, localPort: 40000, remoteAddr: CHASSIS, remotePort: 80 });
  const t0 = performance.now();
  let conn = -1;
  let written = 0;
  const chunk = new Uint8Array(64 * 1024).fill(7);
  while (received < total) {
    now++;
    for (const i of toChassis.splice(0)) chassisIn({ ...i, now } as TcpInput);
    for (const i of toPeer.splice(0)) peerIn({ ...i, now } as TcpInput);
    if (conn < 0) conn = active.lookup(80, PEER, 40000) ?? -1;
    if (conn >= 0 && written < total && (active.info(conn)?.sendQueued ?? 0) < 256 * 1024) {
      chassisIn({ kind: 'send', now, conn, bytes: chunk });
      written += chunk.length;
    }
    if (active.nextDeadline() >= 0 && active.nextDeadline() <= now)
      chassisIn({ kind: 'timer', now });
    if (peer.nextDeadline() >= 0 && peer.nextDeadline() <= now) peerIn({ kind: 'timer', now });
  }
  const ms = performance.now() - t0;
  return { mbps: total / MB / (ms / 1000), ...r.stats(), mismatches: r.replayer.stats.mismatches };
}

function bulkSync(n: number) {
  const { active, standby, peer } = engines();
  const r = replicated(active, standby, true);
  const wire: TcpOutput[] = [];
  for (let i = 0; i < n; i++) {
    wire.push(
      ...peer.handle({
        kind: 'connect',
        now: 0,
        localPort: 1024 + (i % 60000),
        remoteAddr: CHASSIS,
        remotePort: 80,
      }),
    );
    while (wire.length) {
      const o = wire.shift()!;
      if (o.kind !== 'segment') continue;
      const input: TcpInput = {
        kind: 'segment',
        now: 1,
        src: o.src,
        dst: o.dst,
        segment: o.segment,
      };
      wire.push(...(o.dst === CHASSIS ? r.rep.handle(input).outputs : peer.handle(input)));
    }
  }
  // A fresh standby joins: every SSO connection as one snapshot record.
  const fresh = new TcpEngine({ localAddr: CHASSIS, isnSecret: new Uint8Array(16) });
  const replayer = new Replayer(fresh, undefined);
  const tx = new IpcSession();
  const rx = new IpcSession();
  const t0 = performance.now();
  let bytes = 0;
  let index = 0;
  for (const s of r.rep.snapshots(null, 1)) {
    const frame = tx.encode({
      type: 'log',
      index: ++index,
      epoch: 1,
      entry: { kind: 'snapshot', ...s },
    });
    bytes += frame.length;
    for (const rec of rx.receive(frame).records) if (rec.type === 'log') replayer.apply(rec.entry);
  }
  const ms = performance.now() - t0;
  return {
    connections: fresh.connections().length,
    ms,
    bytes,
    stateMB: fresh.serialize().length / MB,
  };
}

console.log(
  `hitless bench:ha on ${os.cpus()[0]?.model ?? 'cpu'} x${os.cpus().length}, node ${process.version}`,
);
const off = transfer(false, 64 * MB);
console.log(
  `bulk transfer 64 MiB from the chassis, one thread, no I/O: SSO off ${off.mbps.toFixed(0)} MiB/s`,
);
for (const [name, opts] of [
  ['SSO on, active side only (records framed)', { replay: false }],
  ['SSO on, regenerable output, active side only', { replay: false, regenerable: true }],
  ['SSO on, active + standby replay in one thread', {}],
] as const) {
  const on = transfer(true, 64 * MB, opts);
  console.log(
    `  ${name}: ${on.mbps.toFixed(0)} MiB/s (ratio ${(on.mbps / off.mbps).toFixed(2)}), ${on.records} records, ${(on.bytes / MB).toFixed(1)} MiB of IPC frames, ${on.mismatches} mismatches`,
  );
}
for (const n of [1000, 10_000]) {
  const b = bulkSync(n);
  console.log(
    `bulk sync of ${b.connections} idle connections: ${b.ms.toFixed(0)} ms, ${(b.bytes / MB).toFixed(1)} MiB of IPC frames, standby engine state ${b.stateMB.toFixed(1)} MiB serialized`,
  );
}
