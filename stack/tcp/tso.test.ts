import test from 'ava';
import { TcpFlag, type TcpSegment } from '../wire/tcp-types.ts';
import type { TcpInput, TcpOutput } from './api.ts';
import { TSO_MAX_PAYLOAD } from './create.ts';
import { TcpEngine } from './engine.ts';
import { fmt, openPassive, rawSegs } from './sim/script.ts';
import { ADDR_A, runSession } from './sim/session.ts';
import type { SimHost } from './sim/sim-host.ts';

/** What a segmenting link puts on the wire for a super-segment (as Linux GSO). */
function resegment(s: TcpSegment): TcpSegment[] {
  const size = s.gsoSize;
  if (size === undefined) return [s];
  const parts: TcpSegment[] = [];
  for (let off = 0; off < s.payload.length; off += size) {
    const last = off + size >= s.payload.length;
    const { gsoSize: _, ...plain } = s;
    parts.push({
      ...plain,
      seq: (s.seq + off) >>> 0,
      flags: last ? s.flags : s.flags & ~(TcpFlag.PSH | TcpFlag.FIN),
      payload: s.payload.subarray(off, Math.min(off + size, s.payload.length)),
    });
  }
  return parts;
}

function describe(out: TcpOutput[], expand: boolean): string[] {
  return out.flatMap((o) => {
    if (o.kind !== 'segment')
      return [o.kind === 'data' ? `data ${o.conn} ${o.bytes.length}` : JSON.stringify(o)];
    const segs = expand ? resegment(o.segment) : [o.segment];
    return segs.map((s) => `${o.conn} ${fmt(s)} ${Buffer.from(s.payload).toString('base64')}`);
  });
}

/**
 * Run `host`'s inputs through a second engine with TSO on as well and check
 * that its super-segments, cut up, are exactly what the plain engine sent.
 */
function shadowWithTso(
  host: SimHost,
  tsoMaxBytes: number,
  stats: { supers: number; problems: string[] },
) {
  const plain = host.engine;
  const shadow = new TcpEngine({
    ...plain.cfg,
    tsoMaxBytes,
  });
  const handle = plain.handle.bind(plain);
  plain.handle = (input: TcpInput) => {
    const out = handle(input);
    const tsoOut = shadow.handle(input);
    for (const o of tsoOut) {
      if (o.kind !== 'segment' || o.segment.gsoSize === undefined) continue;
      stats.supers++;
      if (o.segment.payload.length > tsoMaxBytes)
        stats.problems.push(`super-segment over ${tsoMaxBytes}`);
    }
    const want = describe(out, false).join('\n');
    const got = describe(tsoOut, true).join('\n');
    if (want !== got && stats.problems.length < 3) {
      stats.problems.push(`after ${input.kind} at ${input.now}:\nplain:\n${want}\ntso:\n${got}`);
    }
    for (const c of plain.connections()) {
      if (
        JSON.stringify(plain.digest(c)) !== JSON.stringify(shadow.digest(c)) &&
        stats.problems.length < 3
      )
        stats.problems.push(`digest of ${c} differs after ${input.kind} at ${input.now}`);
    }
    return out;
  };
}

const SCENARIOS = [
  { name: 'clean link, Nagle on', link: { delayMs: 1 }, nagle: true, consumeDelayMs: 0 },
  {
    name: 'loss, duplication and reordering',
    link: { delayMs: 2, jitterMs: 2, loss: 0.03, duplicate: 0.01, reorder: 0.02, reorderMs: 3 },
    nagle: true,
    consumeDelayMs: 0,
  },
  {
    name: 'Nagle off, slow reader (zero windows)',
    link: { delayMs: 1, loss: 0.01 },
    nagle: false,
    consumeDelayMs: 30,
  },
];

for (const sc of SCENARIOS) {
  for (const seed of [1, 2, 3]) {
    test(`TSO super-segments cut into MSS segments equal the plain engine's output: ${sc.name}, seed ${seed}`, (t) => {
      const stats = { supers: 0, problems: [] as string[] };
      const r = runSession({
        seed,
        conns: 3,
        bytesEach: 250_000 + 7777 * seed,
        chunk: 10_000 + 999 * seed,
        link: sc.link,
        cfg: { nagle: sc.nagle, rcvBuf: 65536, sndBuf: 131072 },
        consumeDelayMs: sc.consumeDelayMs,
        setup: (a, b) => {
          shadowWithTso(a, 16 * 1448, stats);
          shadowWithTso(b, TSO_MAX_PAYLOAD, stats);
        },
      });
      t.deepEqual(r.problems, []);
      t.true(r.complete);
      t.deepEqual(stats.problems, []);
      t.true(stats.supers > 50, `only ${stats.supers} super-segments`);
    });
  }
}

test('TSO: the initial window goes out as one super-segment; PSH only where the data ends', (t) => {
  const { s, iss, conn } = openPassive(1000, { tsoMaxBytes: 60000, mss: 1460 }, { mss: 1000 });
  s.run({ kind: 'send', now: 20, conn, bytes: new Uint8Array(12500) });
  // the peer's window of 8000 bytes (cwnd is larger): 8 segments of its MSS 1000 in one
  t.deepEqual(
    rawSegs(s.outs).map((o) => [o.seq, o.payload.length, o.gsoSize, o.flags]),
    [[(iss + 1) >>> 0, 8000, 1000, TcpFlag.ACK]],
  );
});

test('TSO: the tail is included at once only with Nagle off; a retransmission is one MSS', (t) => {
  const mk = (nagle: boolean) => {
    const r = openPassive(1000, { tsoMaxBytes: 60000, mss: 1460, nagle }, { mss: 1000 });
    r.s.run({ kind: 'send', now: 20, conn: r.conn, bytes: new Uint8Array(2500) });
    return { ...r, out: rawSegs(r.s.outs) };
  };
  const off = mk(false);
  t.deepEqual(
    off.out.map((o) => [o.payload.length, o.gsoSize, (o.flags & TcpFlag.PSH) !== 0]),
    [[2500, 1000, true]],
  );
  const on = mk(true);
  t.deepEqual(
    on.out.map((o) => [o.payload.length, o.gsoSize]),
    [[2000, 1000]],
    'Nagle holds the 500-byte tail while data is in flight',
  );
  // RTO: go back to SND.UNA with one MSS
  const rto = on.s.engine.nextDeadline();
  const re = rawSegs(on.s.run({ kind: 'timer', now: rto }));
  t.is(re[0]!.seq, (on.iss + 1) >>> 0);
  t.is(re[0]!.payload.length, 1000);
  t.is(re[0]!.gsoSize, undefined);
});

test('tsoMaxBytes out of range is a config error; 0 keeps every segment within the MSS', (t) => {
  const base = { localAddr: ADDR_A, isnSecret: new Uint8Array(4) };
  t.throws(() => new TcpEngine({ ...base, tsoMaxBytes: 100 }), { message: /tsoMaxBytes/ });
  t.throws(() => new TcpEngine({ ...base, tsoMaxBytes: 70000 }), { message: /tsoMaxBytes/ });
  const { s, conn } = openPassive(1000, { mss: 1460 }, { mss: 1000 });
  s.run({ kind: 'send', now: 20, conn, bytes: new Uint8Array(5000) });
  for (const o of rawSegs(s.outs)) {
    t.true(o.payload.length <= 1000);
    t.is(o.gsoSize, undefined);
  }
});
