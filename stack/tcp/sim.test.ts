/**
 * Two engines over a MemoryLink (stack/link) in virtual time, with seeded loss, duplication,
 * reordering, delay and corruption: several connections, bytes both ways, byte-exact.
 */
import test from 'ava';
import { TcpState } from './api.ts';
import { seqLe, seqLt } from './seq.ts';
import { runSession, type SessionOptions } from './sim/session.ts';
import type { SimHost } from './sim/sim-host.ts';
import { sweep } from './sim/sweep.ts';

function check(t: import('ava').ExecutionContext, o: SessionOptions, maxVirtualMs: number): void {
  const r = runSession(o);
  const label = `seed ${o.seed}`;
  t.deepEqual(r.problems, [], label);
  t.true(r.complete, `${label}: did not complete (virtual time ${r.doneAt} ms)`);
  t.is(r.bytesDelivered, 2 * o.conns * o.bytesEach, label);
  t.true(r.doneAt <= maxVirtualMs, `${label}: took ${r.doneAt} ms of virtual time`);
  if (o.link.corrupt)
    t.true(r.a.badFrames + r.b.badFrames > 0, `${label}: corruption was caught by checksums`);
}

test('clean link: 4 connections × 2 MB each way', (t) => {
  check(t, { seed: 11, conns: 4, bytesEach: 2_000_000, link: { delayMs: 5 } }, 2_000);
});

test('lossy, duplicating, reordering link: 3 connections × 1 MB each way, ISNs near 2^32', (t) => {
  for (const seed of [21, 22]) {
    check(
      t,
      {
        seed,
        conns: 3,
        bytesEach: 1_000_000,
        isnNearWrap: true,
        link: {
          delayMs: 4,
          jitterMs: 3,
          loss: 0.03,
          duplicate: 0.03,
          reorder: 0.08,
          reorderMs: 6,
          corrupt: 0.01,
        },
      },
      60_000,
    );
  }
});

test('heavy loss (10 %) with small buffers and Nagle off still completes byte-exact', (t) => {
  check(
    t,
    {
      seed: 31,
      conns: 2,
      bytesEach: 300_000,
      chunk: 1000,
      cfg: { rcvBuf: 16384, sndBuf: 16384, nagle: false, sack: false, timestamps: false },
      link: { delayMs: 2, jitterMs: 8, loss: 0.1, duplicate: 0.05, reorder: 0.1 },
    },
    200_000,
  );
});

test('connections close cleanly: after 2MSL both engines are empty', (t) => {
  const r = runSession({
    seed: 41,
    conns: 3,
    bytesEach: 50_000,
    link: { delayMs: 3, loss: 0.02 },
    cfg: { msl2Ms: 2000 },
  });
  t.true(r.complete);
  // Let the remaining FIN/ACK exchange and TIME-WAIT run out.
  for (
    let i = 0;
    i < 100 && (r.a.engine.connections().length || r.b.engine.connections().length);
    i++
  ) {
    const d = Math.max(r.a.engine.nextDeadline(), r.b.engine.nextDeadline());
    if (d < 0) break;
    r.advance(d);
  }
  t.deepEqual(r.a.engine.connections(), []);
  t.deepEqual(r.b.engine.connections(), []);
});

/** Invariants checked after every engine input of a session. */
function invariantChecker(problems: string[], seen: { zeroWindow: number }) {
  return (a: SimHost, b: SimHost) => {
    for (const h of [a, b]) {
      h.afterInput = () => {
        for (const id of h.engine.connections()) {
          const x = h.engine.conns.get(id)!;
          if (x.sndWnd === 0 && x.state === TcpState.ESTABLISHED) seen.zeroWindow++;
          const bad =
            !seqLe(x.sndUna, x.sndNxt) ||
            !seqLe(x.sndNxt, x.sndMax) ||
            x.rcvUnconsumed < 0 ||
            x.ooo.bytes > x.ooo.limit ||
            x.cwnd < 1 ||
            (x.state >= TcpState.ESTABLISHED && seqLt(x.rcvAdv, x.rcvNxt));
          if (bad && problems.length < 5) problems.push(`invariant broken on ${id} at ${h.now()}`);
        }
      };
    }
  };
}

test('slow reader (zero windows, persist) and a 3 s cable cut: byte-exact, invariants after every input', (t) => {
  const problems: string[] = [];
  const seen = { zeroWindow: 0 };
  check(
    t,
    {
      seed: 51,
      conns: 2,
      bytesEach: 200_000,
      consumeDelayMs: 30,
      cfg: { rcvBuf: 8192, sndBuf: 32768 },
      link: { delayMs: 2, loss: 0.02, reorder: 0.02 },
      partition: { at: 300, forMs: 3000 },
      setup: invariantChecker(problems, seen),
    },
    120_000,
  );
  t.deepEqual(problems, []);
  t.true(seen.zeroWindow > 0, 'the slow reader closed the window at least once');
});

test('eight seeds of random link faults and clock offsets: byte-exact, invariants hold', (t) => {
  for (let seed = 100; seed < 108; seed++) {
    const problems: string[] = [];
    const r = (k: number) => ((seed * 2654435761 + k * 40503) >>> 0) / 2 ** 32;
    check(
      t,
      {
        seed,
        conns: 2,
        bytesEach: 150_000,
        chunk: 1 + Math.floor(r(1) * 20000),
        isnNearWrap: seed % 2 === 0,
        offsets: [Math.floor(r(2) * 2 ** 40), Math.floor(r(3) * 2 ** 32)],
        cfg: { sack: seed % 3 !== 0, timestamps: seed % 4 !== 0, nagle: seed % 5 !== 0 },
        link: {
          delayMs: 1 + r(4) * 10,
          jitterMs: r(5) * 10,
          loss: r(6) * 0.06,
          duplicate: r(7) * 0.05,
          reorder: r(8) * 0.1,
        },
        setup: invariantChecker(problems, { zeroWindow: 0 }),
      },
      120_000,
    );
    t.deepEqual(problems, [], `seed ${seed}`);
  }
});

test('fixed campaign of 30 randomised seeds (npm run sim:tcp runs longer ones)', (t) => {
  t.deepEqual(sweep(1000, 30), []);
});
