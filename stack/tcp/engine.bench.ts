/**
 * Engine throughput without I/O: two engines hand segments to each other directly (and, in a
 * second run, through the wire codec with checksums), one bulk connection, virtual time.
 * Run: npm run bench:tcp-engine
 */
import { cpus } from 'node:os';
import { decodeTcp, encodeTcp } from '../wire/tcp.ts';
import type { TcpOutput, TcpSegment } from './api.ts';
import { TcpEngine } from './engine.ts';

const A = 0xc6120001;
const B = 0xc6120002;

function run(totalBytes: number, codec: boolean): { mbps: number; segments: number; ms: number } {
  const cfg = { isnSecret: new Uint8Array(16), rcvBuf: 4 << 20, sndBuf: 4 << 20, delayedAckMs: 1 };
  const a = new TcpEngine({ ...cfg, localAddr: A });
  const b = new TcpEngine({ ...cfg, localAddr: B });
  const queue: { to: TcpEngine; src: number; dst: number; seg: TcpSegment }[] = [];
  let now = 0;
  let received = 0;
  let segments = 0;
  let conn = -1;
  let peer = -1;
  const chunk = new Uint8Array(65536).fill(7);
  let sent = 0;
  const route = (from: TcpEngine, out: TcpOutput[]) => {
    for (const o of out) {
      if (o.kind === 'segment') {
        const to = from === a ? b : a;
        let seg = o.segment;
        if (codec) {
          const d = decodeTcp(encodeTcp(seg, o.src, o.dst), o.src, o.dst);
          if (!d.ok) throw new Error('codec');
          seg = d.value;
        }
        queue.push({ to, src: o.src, dst: o.dst, seg });
        segments++;
      } else if (o.kind === 'data') {
        received += o.bytes.length;
        if (from === b)
          route(b, b.handle({ kind: 'consume', now, conn: o.conn, n: o.bytes.length }));
      } else if (o.kind === 'event' && o.event === 'accepted') peer = o.conn;
    }
  };
  route(b, b.handle({ kind: 'listen', now, port: 5001, backlog: 8 }));
  route(a, a.handle({ kind: 'connect', now, localPort: 40000, remoteAddr: B, remotePort: 5001 }));
  conn = a.connections()[0]!;
  const t0 = performance.now();
  while (received < totalBytes) {
    while (sent < totalBytes && a.info(conn)!.sendQueued < 2 << 20) {
      route(a, a.handle({ kind: 'send', now, conn, bytes: chunk }));
      sent += chunk.length;
    }
    if (queue.length === 0) {
      now = Math.max(
        now + 1,
        Math.min(...[a.nextDeadline(), b.nextDeadline()].filter((d) => d >= 0)),
      );
      route(a, a.handle({ kind: 'timer', now }));
      route(b, b.handle({ kind: 'timer', now }));
      continue;
    }
    const batch = queue.splice(0, queue.length);
    for (const q of batch)
      route(q.to, q.to.handle({ kind: 'segment', now, src: q.src, dst: q.dst, segment: q.seg }));
    now++;
  }
  const ms = performance.now() - t0;
  void peer;
  return { mbps: (totalBytes * 8) / 1e6 / (ms / 1000), segments, ms };
}

const cpu = cpus()[0]?.model ?? 'unknown cpu';
console.log(`machine: ${cpu}, ${cpus().length} cores, node ${process.version}`);
for (const codec of [false, true]) {
  run(20e6, codec); // warm-up
  const r = run(200e6, codec);
  console.log(
    `engine→engine${codec ? ' + wire codec' : ''}: ${r.mbps.toFixed(0)} Mbit/s of payload, ${r.segments} segments, ${r.ms.toFixed(0)} ms`,
  );
}

/** Bulk sync cost: snapshot and restore N idle established connections. */
function bulk(n: number): void {
  const cfg = { isnSecret: new Uint8Array(16) };
  const srv = new TcpEngine({ ...cfg, localAddr: B });
  const cli = new TcpEngine({ ...cfg, localAddr: A });
  srv.handle({ kind: 'listen', now: 0, port: 179, backlog: n + 1 });
  const pass = (from: TcpEngine, out: TcpOutput[]): void => {
    const to = from === srv ? cli : srv;
    for (const o of out) {
      if (o.kind === 'segment') {
        pass(
          to,
          to.handle({ kind: 'segment', now: 0, src: o.src, dst: o.dst, segment: o.segment }),
        );
      }
    }
  };
  for (let i = 0; i < n; i++) {
    pass(
      cli,
      cli.handle({
        kind: 'connect',
        now: 0,
        localPort: 10000 + (i % 50000),
        remoteAddr: B,
        remotePort: 179 + Math.floor(i / 50000),
      }),
    );
  }
  const t0 = performance.now();
  const snaps = srv.connections().map((c) => srv.snapshotConnection(c));
  const t1 = performance.now();
  const standby = new TcpEngine({ ...cfg, localAddr: B });
  for (const s of snaps) standby.restoreConnection(s);
  const t2 = performance.now();
  const bytes = snaps.reduce((a, s) => a + s.length, 0);
  console.log(
    `bulk sync ${n} idle connections: snapshot ${(t1 - t0).toFixed(1)} ms, restore ${(t2 - t1).toFixed(1)} ms, ${bytes} bytes (${Math.round(bytes / n)} per connection)`,
  );
}
bulk(1000);
bulk(10000);
