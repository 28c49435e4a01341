/**
 * Determinism and the HA hooks: replaying a recorded input log gives byte-identical engine
 * state after every input; one connection restored from a snapshot and fed only its own inputs
 * keeps the same TCB; rebasing onto another clock keeps it equal up to the clock offset.
 */
import { createHash } from 'node:crypto';
import test from 'ava';
import type { TcbDigest, TcpInput } from './api.ts';
import { restoreEngine, TcpEngine } from './engine.ts';
import { runSession, type SessionOptions } from './sim/session.ts';
import type { SimHost } from './sim/sim-host.ts';

const fp = (e: TcpEngine) => createHash('sha256').update(e.serialize()).digest('hex');

function recorded(o: SessionOptions) {
  const prints = new Map<SimHost, string[]>();
  const r = runSession({
    ...o,
    record: true,
    setup(a, b) {
      for (const h of [a, b]) {
        const list: string[] = [];
        prints.set(h, list);
        h.afterInput = () => list.push(fp(h.engine));
      }
    },
  });
  return { r, prints };
}

const SESSION: SessionOptions = {
  seed: 7,
  conns: 3,
  bytesEach: 150_000,
  chunk: 3000,
  cfg: { sndBuf: 65536, rcvBuf: 65536, msl2Ms: 1000 },
  link: { delayMs: 3, jitterMs: 4, loss: 0.03, duplicate: 0.03, reorder: 0.05 },
};

test('replaying the recorded inputs gives identical serialised state after every input', (t) => {
  const { r, prints } = recorded(SESSION);
  t.true(r.complete, 'the recorded session completed');
  for (const h of [r.a, r.b]) {
    const want = prints.get(h)!;
    t.true(h.inputs.length > 500, `long log: ${h.inputs.length} inputs`);
    const fresh = new TcpEngine({
      ...SESSION.cfg,
      localAddr: h.addr,
      isnSecret: h.engine.cfg.isnSecret,
    });
    let mismatch = -1;
    let restoredMismatch = -1;
    let restored: TcpEngine | undefined;
    h.inputs.forEach((input, i) => {
      fresh.handle(input);
      if (mismatch < 0 && fp(fresh) !== want[i]) mismatch = i;
      // Halfway, a copy restored from the serialised state must carry on identically.
      if (i === Math.floor(h.inputs.length / 2)) restored = restoreEngine(fresh.serialize());
      else if (restored) {
        restored.handle(input);
        if (restoredMismatch < 0 && fp(restored) !== want[i]) restoredMismatch = i;
      }
    });
    t.is(mismatch, -1, `seed ${SESSION.seed}: first divergence at input ${mismatch}`);
    t.is(
      restoredMismatch,
      -1,
      `seed ${SESSION.seed}: restored engine diverged at input ${restoredMismatch}`,
    );
    // And the whole engine survives serialise → restore.
    t.deepEqual(restoreEngine(h.engine.serialize()).serialize(), h.engine.serialize());
  }
});

/** Inputs that concern connection `conn` of engine `e` (evaluated before feeding them). */
function concerns(e: TcpEngine, input: TcpInput, conn: number): boolean {
  switch (input.kind) {
    case 'segment':
      return e.lookup(input.segment.dstPort, input.src, input.segment.srcPort) === conn;
    case 'timer':
    case 'resume':
      return input.conn === undefined || input.conn === conn;
    case 'listen':
    case 'unlisten':
    case 'connect':
      return false;
    default:
      return input.conn === conn;
  }
}

function shifted(d: TcbDigest, delta: number): TcbDigest {
  const s = { ...d };
  for (const k of [
    'rtxDeadline',
    'persistDeadline',
    'ackDeadline',
    'keepaliveDeadline',
    'timeWaitDeadline',
  ] as const) {
    if (s[k] >= 0) s[k] += delta;
  }
  return s;
}

test('per-connection replay from a snapshot, on the same clock and rebased onto another', (t) => {
  const { r } = recorded({ ...SESSION, seed: 8, link: { delayMs: 3, loss: 0.02, reorder: 0.03 } });
  const log = r.b.inputs;
  const active = new TcpEngine({
    ...SESSION.cfg,
    localAddr: r.b.addr,
    isnSecret: r.b.engine.cfg.isnSecret,
  });
  let standby: TcpEngine | undefined;
  let rebased: TcpEngine | undefined;
  const DELTA = 123_456;
  let conn = -1;
  let compared = 0;
  let firstBad = '';
  for (let i = 0; i < log.length; i++) {
    const input = log[i]!;
    if (!standby && i > log.length / 4) {
      conn = active.connections()[1] ?? -1;
      if (conn >= 0) {
        const snap = active.snapshotConnection(conn);
        standby = new TcpEngine({
          ...SESSION.cfg,
          localAddr: r.b.addr,
          isnSecret: new Uint8Array(4),
        });
        standby.restoreConnection(snap);
        rebased = new TcpEngine({
          ...SESSION.cfg,
          localAddr: r.b.addr,
          isnSecret: new Uint8Array(4),
        });
        rebased.restoreConnection(snap);
        rebased.rebase(DELTA);
      }
    }
    const mine = standby ? concerns(active, input, conn) : false;
    active.handle(input);
    if (!standby || !rebased || !mine) continue;
    standby.handle(input);
    rebased.handle({ ...input, now: input.now + DELTA } as TcpInput);
    const want = active.digest(conn);
    if (!want) break; // closed on all three
    compared++;
    const got = standby.digest(conn);
    const gotRebased = rebased.digest(conn);
    if (!firstBad && JSON.stringify(got) !== JSON.stringify(want))
      firstBad = `standby at input ${i}`;
    if (!firstBad && JSON.stringify(gotRebased) !== JSON.stringify(shifted(want, DELTA)))
      firstBad = `rebased at input ${i}`;
    if (
      !firstBad &&
      !Buffer.from(standby.snapshotConnection(conn)).equals(active.snapshotConnection(conn))
    ) {
      firstBad = `standby snapshot at input ${i}`;
    }
  }
  t.true(compared > 100, `compared ${compared} inputs`);
  t.is(firstBad, '');
});

test('resume after takeover retransmits SND.UNA at once and keeps TSval monotonic', (t) => {
  const { r } = recorded({ ...SESSION, seed: 9, bytesEach: 50_000, link: { delayMs: 3 } });
  const log = r.a.inputs;
  const active = new TcpEngine({
    ...SESSION.cfg,
    localAddr: r.a.addr,
    isnSecret: r.a.engine.cfg.isnSecret,
  });
  // Stop the active mid-transfer: with data in flight.
  let cut = -1;
  const lastTs = new Map<number, number>();
  for (let i = 0; i < log.length; i++) {
    const out = active.handle(log[i]!);
    for (const o of out) {
      if (o.kind === 'segment' && o.segment.options.timestamp)
        lastTs.set(o.conn, o.segment.options.timestamp.value);
    }
    const c = active.connections()[0];
    if (c !== undefined && i > 50) {
      const d = active.digest(c)!;
      if (d.sndUna !== d.sndNxt) {
        cut = i;
        break;
      }
    }
  }
  t.true(cut > 0);
  const c = active.connections()[0]!;
  const standby = new TcpEngine({
    ...SESSION.cfg,
    localAddr: r.a.addr,
    isnSecret: new Uint8Array(4),
  });
  standby.restoreConnection(active.snapshotConnection(c));
  standby.rebase(-1_000_000); // the new board's clock is far behind
  const now = log[cut]!.now - 1_000_000 + 5;
  const out = standby.handle({ kind: 'resume', now, conn: c });
  const segsOut = out.flatMap((o) => (o.kind === 'segment' ? [o.segment] : []));
  t.true(segsOut.length >= 1);
  t.is(segsOut[0]!.seq, active.digest(c)!.sndUna, 'first segment retransmits from SND.UNA');
  t.true(segsOut[0]!.payload.length > 0);
  const ts = segsOut[0]!.options.timestamp!.value;
  t.true(((ts - lastTs.get(c)!) | 0) >= 0, 'TSval did not go backwards across the switchover');
});
