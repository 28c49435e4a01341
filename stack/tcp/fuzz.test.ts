/** Hostile input: random segments and app calls never throw (except TcpError for API misuse) and keep the TCB invariants. */
import test from 'ava';
import fc from 'fast-check';
import type { TcpOptions } from '../wire/tcp-types.ts';
import { type TcpInput, TcpState } from './api.ts';
import { TcpEngine } from './engine.ts';
import { TcpError } from './errors.ts';
import { seqLe } from './seq.ts';
import { LOCAL, openPassive, REMOTE } from './sim/script.ts';
import type { Tcb } from './tcb.ts';

/**
 * The near-2^32 property also checks which states its runs reached: with a fresh seed each time
 * one run in about thirty missed FIN-WAIT-1, so that check runs on a fixed seed (FUZZ_SEED=n to
 * explore others; fast-check prints the seed of a failure).
 */
const COVERAGE_SEED = Number(process.env.FUZZ_SEED ?? 20261127);

const segArb = fc.record({
  flags: fc.integer({ min: 0, max: 0x3f }),
  seqOff: fc.oneof(
    fc.integer({ min: -70000, max: 70000 }),
    fc.integer({ min: 0, max: 0xffffffff }),
  ),
  ackOff: fc.oneof(
    fc.integer({ min: -70000, max: 70000 }),
    fc.integer({ min: 0, max: 0xffffffff }),
  ),
  window: fc.integer({ min: 0, max: 65535 }),
  len: fc.integer({ min: 0, max: 3000 }),
  mss: fc.option(fc.integer({ min: 0, max: 65535 })),
  wscale: fc.option(fc.integer({ min: 0, max: 255 })),
  ts: fc.option(fc.record({ value: fc.nat(0xffffffff), echo: fc.nat(0xffffffff) })),
  sack: fc.option(
    fc.array(fc.record({ left: fc.nat(0xffffffff), right: fc.nat(0xffffffff) }), { maxLength: 4 }),
  ),
  srcPort: fc.constantFrom(40000, 40001, 1),
  dstPort: fc.constantFrom(80, 81),
});
const appArb = fc.record({
  kind: fc.constantFrom(
    'send',
    'consume',
    'shutdown',
    'close',
    'abort',
    'timer',
    'setopt',
    'resume',
  ),
  n: fc.integer({ min: 0, max: 5000 }),
});
const stepArb = fc.oneof(
  { weight: 4, arbitrary: segArb.map((s) => ({ type: 'seg' as const, s })) },
  { weight: 1, arbitrary: appArb.map((a) => ({ type: 'app' as const, a })) },
);

/** Options of a generated segment; `null` fields are left out. */
function optionsOf(g: {
  mss: number | null;
  wscale: number | null;
  ts: { value: number; echo: number } | null;
  sack?: { left: number; right: number }[] | null;
}): TcpOptions {
  const o: TcpOptions = {};
  if (g.mss !== null) o.mss = g.mss;
  if (g.wscale !== null) o.wscale = g.wscale;
  if (g.ts !== null) o.timestamp = g.ts;
  if (g.sack != null) o.sack = g.sack;
  return o;
}

function invariants(t: Tcb): boolean {
  return (
    seqLe(t.sndUna, t.sndNxt) &&
    seqLe(t.sndNxt, t.sndMax) &&
    (t.state < TcpState.ESTABLISHED || seqLe(t.rcvNxt, t.rcvAdv)) &&
    t.rcvUnconsumed >= 0 &&
    t.ooo.bytes <= t.ooo.limit &&
    t.cwnd >= 1 &&
    Number.isSafeInteger(t.sndWnd)
  );
}

test('random segments and calls: no crash, invariants hold, state serialises', (t) => {
  fc.assert(
    fc.property(fc.boolean(), fc.array(stepArb, { maxLength: 60 }), (ts, steps) => {
      const { s, iss, conn } = openPassive(
        0xfffff000,
        { timestamps: ts, sack: true },
        ts ? { mss: 1000, sackPermitted: true, timestamp: { value: 5, echo: 0 } } : { mss: 1000 },
      );
      s.run({ kind: 'listen', now: 11, port: 81, backlog: 2 });
      let now = 20;
      for (const step of steps) {
        now += 7;
        if (step.type === 'seg') {
          const g = step.s;
          s.run({
            kind: 'segment',
            now,
            src: REMOTE,
            dst: LOCAL,
            segment: {
              srcPort: g.srcPort,
              dstPort: g.dstPort,
              seq: (0xfffff001 + g.seqOff) >>> 0,
              ack: (iss + 1 + g.ackOff) >>> 0,
              flags: g.flags,
              window: g.window,
              urgent: 0,
              options: optionsOf(g),
              payload: new Uint8Array(g.len),
            },
          });
        } else {
          const a = step.a;
          try {
            if (a.kind === 'send') s.run({ kind: 'send', now, conn, bytes: new Uint8Array(a.n) });
            else if (a.kind === 'consume') s.run({ kind: 'consume', now, conn, n: a.n });
            else if (a.kind === 'timer') s.run({ kind: 'timer', now: now + a.n * 100 });
            else if (a.kind === 'setopt')
              s.run({ kind: 'setopt', now, conn, opts: { nagle: a.n % 2 === 0, keepalive: true } });
            else if (a.kind === 'resume') s.run({ kind: 'resume', now });
            else s.run({ kind: a.kind, now, conn } as Parameters<typeof s.run>[0]);
          } catch (e) {
            if (!(e instanceof TcpError)) throw e;
          }
        }
        for (const id of s.engine.connections()) {
          const tcb = s.engine.conns.get(id)!;
          if (!invariants(tcb)) return false;
        }
        s.engine.serialize();
      }
      return true;
    }),
    { numRuns: 300 },
  );
  t.pass();
});

test('random segments against an active open near 2^32: no crash, invariants, identical replay', (t) => {
  const near = fc.integer({ min: -3000, max: 3000 });
  const peerSeg = fc.record({
    // A plausible segment takes SEQ = RCV.NXT and ACK = SND.MAX from the live TCB (plus a nudge).
    plausible: fc.boolean(),
    seqNudge: fc.constantFrom(0, 0, 0, -1, 1),
    ackNudge: fc.constantFrom(0, 0, 0, -1, 1),
    flags: fc.oneof(
      fc.constantFrom(0x12, 0x02, 0x10, 0x18, 0x11, 0x04, 0x14),
      fc.integer({ min: 0, max: 0x3f }),
    ),
    seqOff: fc.oneof(near, fc.nat(0xffffffff)),
    ackOff: fc.oneof(near, fc.nat(0xffffffff)),
    window: fc.integer({ min: 0, max: 65535 }),
    len: fc.oneof(fc.constant(0), fc.integer({ min: 0, max: 2000 })),
    wscale: fc.option(fc.integer({ min: 0, max: 255 })),
    mss: fc.option(fc.integer({ min: 0, max: 65535 })),
    ts: fc.option(fc.record({ value: fc.nat(0xffffffff), echo: fc.nat(0xffffffff) })),
    dt: fc.integer({ min: 0, max: 3000 }),
  });
  const seen = new Set<number>();
  const step = fc.oneof(
    { weight: 5, arbitrary: peerSeg.map((s) => ({ type: 'seg' as const, s })) },
    { weight: 1, arbitrary: appArb.map((a) => ({ type: 'app' as const, a })) },
  );
  const iss = 0xfffffc00;
  const irs = 0xfffffe00;
  fc.assert(
    fc.property(fc.boolean(), fc.array(step, { maxLength: 50 }), (ts, steps) => {
      const cfg = {
        localAddr: LOCAL,
        isnSecret: new Uint8Array([9, 9]),
        timestamps: ts,
        sack: true,
        rcvBuf: 4096,
      };
      const feed = (e: TcpEngine, input: TcpInput): Uint8Array => {
        try {
          e.handle(input);
        } catch (err) {
          if (!(err instanceof TcpError) || input.kind === 'segment') throw err;
        }
        for (const id of e.connections()) {
          const tcb = e.conns.get(id)!;
          if (!invariants(tcb)) throw new Error(`invariant broken in state ${tcb.state}`);
          seen.add(tcb.state);
        }
        return e.serialize();
      };
      // First run: inputs are built from the steps and the live state, and recorded.
      const e = new TcpEngine(cfg);
      const inputs: TcpInput[] = [];
      const states: Uint8Array[] = [];
      const push = (input: TcpInput): void => {
        inputs.push(input);
        states.push(feed(e, input));
      };
      push({
        kind: 'connect',
        now: 0,
        localPort: 40000,
        remoteAddr: REMOTE,
        remotePort: 80,
        isn: iss,
      });
      let now = 0;
      for (const st of steps) {
        if (st.type === 'seg') {
          const g = st.s;
          const tcb = e.conns.get(1);
          const synced = tcb !== undefined && tcb.state !== TcpState.SYN_SENT;
          const seqBase = g.plausible && synced ? tcb.rcvNxt : irs;
          const ackBase = g.plausible && tcb ? tcb.sndMax : iss + 1;
          now += g.dt;
          push({
            kind: 'segment',
            now,
            src: REMOTE,
            dst: LOCAL,
            segment: {
              srcPort: 80,
              dstPort: 40000,
              seq: (seqBase + (g.plausible ? g.seqNudge : g.seqOff)) >>> 0,
              ack: (ackBase + (g.plausible ? g.ackNudge : g.ackOff)) >>> 0,
              flags: g.flags,
              window: g.window,
              urgent: 0,
              options: optionsOf(g),
              payload: new Uint8Array(g.len).fill(g.len & 0xff),
            },
          });
        } else {
          const a = st.a;
          now += 5;
          if (a.kind === 'send') push({ kind: 'send', now, conn: 1, bytes: new Uint8Array(a.n) });
          else if (a.kind === 'consume') push({ kind: 'consume', now, conn: 1, n: a.n });
          else if (a.kind === 'timer') {
            now += a.n * 10;
            push({ kind: 'timer', now });
          } else if (a.kind === 'setopt')
            push({ kind: 'setopt', now, conn: 1, opts: { nagle: a.n % 2 === 0 } });
          else if (a.kind === 'resume') push({ kind: 'resume', now });
          else push({ kind: a.kind, now, conn: 1 } as TcpInput);
        }
      }
      // Replay into a fresh engine: identical serialised state after every input.
      const r = new TcpEngine(cfg);
      return inputs.every((input, k) => Buffer.from(feed(r, input)).equals(states[k]!));
    }),
    { numRuns: 300, seed: COVERAGE_SEED },
  );
  for (const st of [
    TcpState.SYN_RECEIVED,
    TcpState.ESTABLISHED,
    TcpState.FIN_WAIT_1,
    TcpState.CLOSE_WAIT,
  ])
    t.true(seen.has(st), `state ${st} reached by some run (seed ${COVERAGE_SEED})`);
});
