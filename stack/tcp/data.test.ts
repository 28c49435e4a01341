import test from 'ava';
import { TcpState } from './api.ts';
import { LOCAL, openPassive, REMOTE, rawSegs, seg } from './sim/script.ts';

const A = (n: number) => n >>> 0;

test('in-order data: delivered at once, delayed ACK after 40 ms', (t) => {
  const { s, iss, conn } = openPassive();
  t.deepEqual(s.in(20, { flags: 'P.', seq: 1001, ack: iss + 1, len: 100 }), []);
  t.is(s.data(), 100);
  t.is(s.engine.nextDeadline(), 60);
  t.deepEqual(s.timer(59), []);
  t.deepEqual(s.timer(60), [`. ${iss + 1}:${iss + 1}(0) ack 1101 win 3996`]);
  t.is(s.engine.digest(conn)!.ackDeadline, -1);
});

test('ACK at once for every second full-size segment', (t) => {
  const { s, iss } = openPassive(1000, { mss: 1000, rcvBuf: 8000 });
  t.deepEqual(s.in(20, { flags: '.', seq: 1001, ack: iss + 1, len: 1000 }), []);
  t.deepEqual(s.in(21, { flags: '.', seq: 2001, ack: iss + 1, len: 1000 }), [
    `. ${iss + 1}:${iss + 1}(0) ack 3001 win 6000`,
  ]);
});

test('out-of-order data: immediate duplicate ACK; filling the gap: immediate ACK, all delivered', (t) => {
  const { s, iss } = openPassive();
  t.deepEqual(s.in(20, { flags: '.', seq: 1101, ack: iss + 1, len: 100 }), [
    `. ${iss + 1}:${iss + 1}(0) ack 1001 win 4096`,
  ]);
  t.is(s.data(), 0);
  t.deepEqual(s.in(21, { flags: '.', seq: 1001, ack: iss + 1, len: 100 }), [
    `. ${iss + 1}:${iss + 1}(0) ack 1201 win 3896`,
  ]);
  t.is(s.data(), 200);
});

test('SACK blocks generated for out-of-order data, newest block first', (t) => {
  const { s, iss } = openPassive(1000, { sack: true }, { mss: 1000, sackPermitted: true });
  t.deepEqual(s.in(20, { flags: '.', seq: 1101, ack: iss + 1, len: 100 }), [
    `. ${iss + 1}:${iss + 1}(0) ack 1001 win 4096 <sack 1101:1201>`,
  ]);
  t.deepEqual(s.in(21, { flags: '.', seq: 1401, ack: iss + 1, len: 100 }), [
    `. ${iss + 1}:${iss + 1}(0) ack 1001 win 4096 <sack 1401:1501 1101:1201>`,
  ]);
});

test('data beyond the window is trimmed; a zero window accepts only an exact ACK', (t) => {
  const { s, iss, conn } = openPassive(1000, { rcvBuf: 1000 });
  s.in(20, { flags: 'P.', seq: 1001, ack: iss + 1, len: 1500 });
  t.is(s.data(), 1000, 'trimmed to the 1000-byte window');
  t.deepEqual(
    rawSegs(s.outs).map((x) => [x.ack, x.window]),
    [[2001, 0]],
  );
  // Zero-window probe (Linux style, SEQ = RCV.NXT - 1): always answered.
  t.deepEqual(s.in(30, { flags: '.', seq: 2000, ack: iss + 1 }), [
    `. ${iss + 1}:${iss + 1}(0) ack 2001 win 0`,
  ]);
  // One byte into the zero window: not accepted, ACKed.
  t.deepEqual(s.in(31, { flags: '.', seq: 2001, ack: iss + 1, len: 1 }), [
    `. ${iss + 1}:${iss + 1}(0) ack 2001 win 0`,
  ]);
  t.is(s.data(), 0);
  // The app reads: the window opens and the peer is told.
  t.deepEqual(segsOf(s.run({ kind: 'consume', now: 40, conn, n: 1000 })), [
    `. ${iss + 1}:${iss + 1}(0) ack 2001 win 1000`,
  ]);
});

test('receiver SWS avoidance: a small read does not announce a small window', (t) => {
  const { s, iss, conn } = openPassive(1000, { rcvBuf: 4000, mss: 1460 });
  s.in(20, { flags: 'P.', seq: 1001, ack: iss + 1, len: 4000 });
  t.deepEqual(segsOf(s.run({ kind: 'consume', now: 30, conn, n: 100 })), []);
  t.deepEqual(segsOf(s.run({ kind: 'consume', now: 31, conn, n: 1500 })), [
    `. ${iss + 1}:${iss + 1}(0) ack 5001 win 1600`,
  ]);
});

function segsOf(out: ReturnType<typeof s0>): string[] {
  return out.flatMap((o) => (o.kind === 'segment' ? [fmtSeg(o.segment)] : []));
}

import { fmt as fmtSeg } from './sim/script.ts';

function s0() {
  return [] as import('./api.ts').TcpOutput[];
}

test('sending: initial window of 10 segments, Nagle holds the small tail until ACK', (t) => {
  const { s, iss, conn } = openPassive(1000, { rcvBuf: 4096 });
  const out = segsOf(s.run({ kind: 'send', now: 20, conn, bytes: new Uint8Array(2500) }));
  t.deepEqual(out, [
    `. ${A(iss + 1)}:${A(iss + 1001)}(1000) ack 1001 win 4096`,
    `. ${A(iss + 1001)}:${A(iss + 2001)}(1000) ack 1001 win 4096`,
  ]);
  t.is(s.engine.digest(conn)!.rtxDeadline, 220, 'RTO 200 ms after the 10 ms handshake sample');
  t.deepEqual(s.in(30, { flags: '.', seq: 1001, ack: iss + 2001, win: 8000 }), [
    `P. ${A(iss + 2001)}:${A(iss + 2501)}(500) ack 1001 win 4096`,
  ]);
  t.is(s.engine.digest(conn)!.rto, 200, 'RTT sample 20 ms, RTO clamped to the 200 ms minimum');
});

test('Nagle off sends the small tail at once', (t) => {
  const { s, iss, conn } = openPassive();
  s.run({ kind: 'setopt', now: 15, conn, opts: { nagle: false } });
  t.is(segsOf(s.run({ kind: 'send', now: 20, conn, bytes: new Uint8Array(10) })).length, 1);
  t.deepEqual(segsOf(s.run({ kind: 'send', now: 21, conn, bytes: new Uint8Array(10) })), [
    `P. ${A(iss + 11)}:${A(iss + 21)}(10) ack 1001 win 4096`,
  ]);
});

test('retransmission timeout: go back, exponential backoff, cwnd to one segment', (t) => {
  const { s, iss, conn } = openPassive();
  s.run({ kind: 'send', now: 20, conn, bytes: new Uint8Array(3000) });
  t.deepEqual(s.timer(219), []);
  t.deepEqual(s.timer(220), [`. ${A(iss + 1)}:${A(iss + 1001)}(1000) ack 1001 win 4096`]);
  const d = s.engine.digest(conn)!;
  t.is(d.cwnd, 1000);
  t.is(d.ssthresh, 2000, 'max(flight / 2, 2 SMSS)');
  t.is(d.rtxDeadline, 220 + 400);
  t.deepEqual(s.timer(620), [`. ${A(iss + 1)}:${A(iss + 1001)}(1000) ack 1001 win 4096`]);
  t.is(s.engine.digest(conn)!.rtxDeadline, 620 + 800);
  // The ACK resets the backoff (Karn: no sample from a retransmission); slow start resumes.
  const out = s.in(700, { flags: '.', seq: 1001, ack: iss + 1001, win: 8000 });
  t.deepEqual(out, [
    `. ${A(iss + 1001)}:${A(iss + 2001)}(1000) ack 1001 win 4096`,
    `P. ${A(iss + 2001)}:${A(iss + 3001)}(1000) ack 1001 win 4096`,
  ]);
  t.is(s.engine.digest(conn)!.rto, 200);
  t.is(s.engine.digest(conn)!.rtxDeadline, 900);
});

test('data retransmissions exhausted → timed-out; user timeout also aborts', (t) => {
  const { s, conn } = openPassive(1000, { maxRetries: 2 });
  s.run({ kind: 'send', now: 20, conn, bytes: new Uint8Array(10) });
  t.is(s.timer(220).length, 1);
  t.is(s.timer(620).length, 1);
  t.deepEqual(s.timer(1420), []);
  t.deepEqual(s.events(), ['closed:timed-out']);

  const u = openPassive(1000, { userTimeoutMs: 2500 });
  u.s.run({ kind: 'send', now: 20, conn: u.conn, bytes: new Uint8Array(10) });
  t.is(u.s.timer(220).length, 1);
  t.is(u.s.timer(620).length, 1);
  t.is(u.s.timer(1420).length, 1);
  t.is(u.s.engine.digest(u.conn)!.rtxDeadline, 2520, 'clamped to the user timeout');
  t.deepEqual(u.s.timer(2520), []);
  t.deepEqual(u.s.events(), ['closed:timed-out']);
});

test('fast retransmit on the third duplicate ACK, NewReno recovery (RFC 6582)', (t) => {
  const { s, iss, conn } = openPassive(1000, { rcvBuf: 4096 });
  s.run({ kind: 'send', now: 20, conn, bytes: new Uint8Array(8000) });
  t.is(rawSegs(s.outs).length, 8, 'window 8000 from the peer limits the flight');
  const dup = { flags: '.', seq: 1001, ack: iss + 1001, win: 8000 };
  s.in(30, { ...dup });
  t.deepEqual(s.in(31, dup), []);
  t.deepEqual(s.in(32, dup), []);
  t.deepEqual(s.in(33, dup), [`. ${A(iss + 1001)}:${A(iss + 2001)}(1000) ack 1001 win 4096`]);
  const d = s.engine.digest(conn)!;
  t.is(d.ssthresh, 3500);
  t.is(d.cwnd, 6500);
  // Partial ACK: retransmit the next hole at once.
  t.deepEqual(s.in(40, { flags: '.', seq: 1001, ack: iss + 3001, win: 8000 }), [
    `. ${A(iss + 3001)}:${A(iss + 4001)}(1000) ack 1001 win 4096`,
  ]);
  // Full ACK: recovery ends, cwnd deflated to ssthresh at most.
  s.in(50, { flags: '.', seq: 1001, ack: iss + 8001, win: 8000 });
  t.is(s.engine.digest(conn)!.cwnd, 1000 * 1 + 1000);
});

test('persist: zero window from the peer → probes with backoff, resume on opening', (t) => {
  const { s, iss, conn } = openPassive();
  s.in(12, { flags: '.', seq: 1001, ack: iss + 1, win: 0 });
  t.deepEqual(segsOf(s.run({ kind: 'send', now: 20, conn, bytes: new Uint8Array(500) })), []);
  const d = s.engine.digest(conn)!;
  t.is(d.persistDeadline, 220);
  const probe = `. ${A(iss)}:${A(iss)}(0) ack 1001 win 4096`;
  t.deepEqual(s.timer(220), [probe]);
  t.is(s.engine.digest(conn)!.persistDeadline, 620);
  t.deepEqual(s.in(230, { flags: '.', seq: 1001, ack: iss + 1, win: 0 }), []);
  t.deepEqual(s.timer(620), [probe]);
  t.is(s.engine.digest(conn)!.persistDeadline, 1420);
  for (let k = 0; k < 12; k++) s.timer(s.engine.nextDeadline());
  t.is(s.engine.info(conn)!.state, TcpState.ESTABLISHED, 'never aborts while probes are answered');
  t.deepEqual(s.in(300000, { flags: '.', seq: 1001, ack: iss + 1, win: 600 }), [
    `P. ${A(iss + 1)}:${A(iss + 501)}(500) ack 1001 win 4096`,
  ]);
  t.is(s.engine.digest(conn)!.persistDeadline, -1);
});

test('keepalive: probes after idle, timed-out after the configured count', (t) => {
  const { s, iss, conn } = openPassive(1000, {
    keepaliveIdleMs: 1000,
    keepaliveIntervalMs: 100,
    keepaliveProbes: 2,
  });
  s.run({ kind: 'setopt', now: 10, conn, opts: { keepalive: true } });
  t.is(s.engine.digest(conn)!.keepaliveDeadline, 1010);
  const probe = `. ${A(iss)}:${A(iss)}(0) ack 1001 win 4096`;
  t.deepEqual(s.timer(1010), [probe]);
  // The answer resets the probe count; the next probe comes one idle time after it.
  s.in(1020, { flags: '.', seq: 1001, ack: iss + 1 });
  t.deepEqual(s.timer(1110), []);
  t.deepEqual(s.timer(2020), [probe]);
  t.deepEqual(s.timer(2120), [probe]);
  t.deepEqual(s.timer(2220), []);
  t.deepEqual(s.events(), ['closed:timed-out']);
});

test('SACK scoreboard: going back after a timeout skips what the peer SACKed', (t) => {
  const { s, iss, conn } = openPassive(1000, { sack: true }, { mss: 1000, sackPermitted: true });
  t.is(segsOf(s.run({ kind: 'send', now: 20, conn, bytes: new Uint8Array(5000) })).length, 5);
  const sack = { sack: [{ left: A(iss + 2001), right: A(iss + 4001) }] };
  t.deepEqual(s.in(30, { flags: '.', seq: 1001, ack: iss + 1, win: 8000, options: sack }), []);
  t.deepEqual(s.timer(220), [`. ${A(iss + 1)}:${A(iss + 1001)}(1000) ack 1001 win 4096`]);
  t.deepEqual(s.in(230, { flags: '.', seq: 1001, ack: iss + 1001, win: 8000, options: sack }), [
    `. ${A(iss + 1001)}:${A(iss + 2001)}(1000) ack 1001 win 4096`,
    `P. ${A(iss + 4001)}:${A(iss + 5001)}(1000) ack 1001 win 4096`,
  ]);
  t.deepEqual(s.engine.conns.get(conn)!.sacked, [A(iss + 2001), A(iss + 4001)]);
  s.in(240, { flags: '.', seq: 1001, ack: iss + 5001, win: 8000 });
  t.deepEqual(s.engine.conns.get(conn)!.sacked, []);
});

test('duplicate ACKs carrying SACK blocks count even when the window changes (RFC 6675)', (t) => {
  const { s, iss, conn } = openPassive(1000, { sack: true }, { mss: 1000, sackPermitted: true });
  s.run({ kind: 'send', now: 20, conn, bytes: new Uint8Array(5000) });
  const dup = (win: number, right: number) =>
    s.in(30, {
      flags: '.',
      seq: 1001,
      ack: iss + 1,
      win,
      options: { sack: [{ left: A(iss + 1001), right: A(iss + right) }] },
    });
  t.deepEqual(dup(8000, 2001), []);
  t.deepEqual(dup(9000, 3001), []);
  t.deepEqual(dup(10000, 4001), [`. ${A(iss + 1)}:${A(iss + 1001)}(1000) ack 1001 win 4096`]);
  t.true(s.engine.conns.get(conn)!.inRecovery);
});

test('window shrunk to zero with data in flight: retransmissions probe, no abort while the peer answers', (t) => {
  const { s, iss, conn } = openPassive(1000, { maxRetries: 3 });
  s.run({ kind: 'send', now: 20, conn, bytes: new Uint8Array(500) });
  // The peer closes its window without acknowledging (it dropped our data).
  s.in(25, { flags: '.', seq: 1001, ack: iss + 1, win: 0 });
  const head = `P. ${A(iss + 1)}:${A(iss + 501)}(500) ack 1001 win 4096`;
  for (let k = 0; k < 6; k++) {
    const at = s.engine.digest(conn)!.rtxDeadline;
    t.deepEqual(s.timer(at), [head], `retransmission ${k + 1}`);
    s.in(at + 5, { flags: '.', seq: 1001, ack: iss + 1, win: 0 });
  }
  t.is(s.engine.info(conn)!.state, TcpState.ESTABLISHED, 'more than maxRetries, still open');
  t.deepEqual(
    s.in(s.engine.digest(conn)!.rtxDeadline - 1, {
      flags: '.',
      seq: 1001,
      ack: iss + 501,
      win: 4000,
    }),
    [],
  );
  t.is(s.engine.digest(conn)!.sndUna, A(iss + 501));
});

test('receive batch: deferred segments arm the ACK timer at now; one timer input sends one ACK', (t) => {
  const { s, iss, conn } = openPassive(1000, { mss: 1000, rcvBuf: 8000 });
  for (let k = 0; k < 4; k++) {
    const out = s.run({
      kind: 'segment',
      now: 20,
      src: REMOTE,
      dst: LOCAL,
      defer: true,
      segment: seg({ flags: '.', seq: 1001 + 1000 * k, ack: iss + 1, len: 1000 }),
    });
    t.deepEqual(segsOf(out), []);
  }
  t.is(s.engine.nextDeadline(), 20);
  t.is(s.engine.digest(conn)!.ackDeadline, 20);
  t.deepEqual(s.timer(20), [`. ${A(iss + 1)}:${A(iss + 1)}(0) ack 5001 win 4000`]);
  t.is(s.engine.digest(conn)!.ackDeadline, -1);
});
