/** Hostile input: random segments and app calls never throw (except TcpError for API misuse) and keep the TCB invariants. */
import test from 'ava';
import fc from 'fast-check';
import { TcpState } from './api.ts';
import { TcpError } from './errors.ts';
import { seqLe } from './seq.ts';
import { LOCAL, openPassive, REMOTE } from './sim/script.ts';
import type { Tcb } from './tcb.ts';

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
              options: {
                ...(g.mss !== null ? { mss: g.mss } : {}),
                ...(g.wscale !== null ? { wscale: g.wscale } : {}),
                ...(g.ts !== null ? { timestamp: g.ts } : {}),
                ...(g.sack !== null ? { sack: g.sack } : {}),
              },
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
