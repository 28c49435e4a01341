/**
 * Scripted checks of rules the per-state files leave out: window-scale negotiation, RTO bounds
 * and Karn, slow start and congestion avoidance, configurable delayed ACK, sender SWS,
 * bounded reassembly in the engine, the remaining closing-state and SYN-SENT corners.
 */
import test from 'ava';
import { TcpState } from './api.ts';
import { newReno } from './cc.ts';
import { openPassive, rawSegs, Script, segs } from './sim/script.ts';

const A = (n: number) => n >>> 0;
const P = { srcPort: 80, dstPort: 40000 };

function active(cfg: ConstructorParameters<typeof Script>[0] = {}) {
  const s = new Script({ rcvBuf: 100000, ...cfg });
  const syn = segs(s.connect(0, 5000));
  return { s, syn, conn: s.engine.connections()[0]! };
}

test('window scale: a SYN-ACK without wscale turns scaling off both ways', (t) => {
  const { s, syn, conn } = active();
  t.deepEqual(syn, ['S 5000:5000(0) win 65535 <mss 1460,wscale 7>'], 'we offered a shift');
  t.deepEqual(
    s.in(10, { flags: 'S.', seq: 9000, ack: 5001, win: 2000, options: { mss: 1000 }, ...P }),
    ['. 5001:5001(0) ack 9001 win 65535'],
  );
  t.is(s.engine.digest(conn)!.sndWnd, 2000);
  s.in(20, { flags: '.', seq: 9001, ack: 5001, win: 3000, len: 1000, ...P });
  t.deepEqual(
    s.in(21, { flags: '.', seq: 10001, ack: 5001, win: 3000, len: 1000, ...P }),
    ['. 5001:5001(0) ack 11001 win 65535'],
    'our window field is bytes, capped at 65535, not shifted',
  );
  t.is(s.engine.digest(conn)!.sndWnd, 3000, 'the peer window is not shifted either');
});

test('window scale: a peer shift above 14 is used as 14; the SYN-ACK window is not scaled', (t) => {
  const { s, conn } = active();
  s.in(10, {
    flags: 'S.',
    seq: 9000,
    ack: 5001,
    win: 2000,
    options: { mss: 1000, wscale: 15 },
    ...P,
  });
  t.is(s.engine.digest(conn)!.sndWnd, 2000);
  s.in(20, { flags: '.', seq: 9001, ack: 5001, win: 3, ...P });
  t.is(s.engine.digest(conn)!.sndWnd, 3 << 14);
});

test('simultaneous open: the window of the peer SYN-ACK is not scaled, later ones are', (t) => {
  const { s, conn } = active({ rcvBuf: 4096 });
  t.deepEqual(
    s.in(10, { flags: 'S', seq: 9000, win: 2000, options: { mss: 1000, wscale: 3 }, ...P }),
    ['S. 5000:5000(0) ack 9001 win 4096 <mss 1460,wscale 7>'],
  );
  s.in(20, {
    flags: 'S.',
    seq: 9000,
    ack: 5001,
    win: 2000,
    options: { mss: 1000, wscale: 3 },
    ...P,
  });
  t.is(s.engine.info(conn)!.state, TcpState.ESTABLISHED);
  t.is(s.engine.digest(conn)!.sndWnd, 2000);
  s.in(30, { flags: '.', seq: 9001, ack: 5001, win: 2000, ...P });
  t.is(s.engine.digest(conn)!.sndWnd, 16000);
});

test('simultaneous open: an RST at RCV.NXT in SYN-RECEIVED refuses the connection', (t) => {
  const { s } = active({ rcvBuf: 4096 });
  s.in(10, { flags: 'S', seq: 9000, options: { mss: 1000 }, ...P });
  t.deepEqual(s.in(20, { flags: 'R', seq: 9001, ...P }), []);
  t.deepEqual(s.events(), ['closed:refused']);
  t.deepEqual(s.engine.connections(), []);
});

test('SYN-SENT: an RST without ACK and a bare acceptable ACK are dropped silently', (t) => {
  const { s, conn } = active();
  t.deepEqual(s.in(10, { flags: 'R', seq: 9000, ...P }), []);
  t.deepEqual(s.in(11, { flags: '.', seq: 9000, ack: 5001, ...P }), []);
  t.is(s.engine.info(conn)!.state, TcpState.SYN_SENT);
  t.deepEqual(s.events(), []);
});

test('RTO: configured minimum, initial and maximum; backoff stops at the maximum', (t) => {
  const { s, syn, conn } = active({ rtoInitialMs: 700, rtoMinMs: 300, rtoMaxMs: 1000 });
  t.is(syn.length, 1);
  t.deepEqual(s.timer(699), []);
  t.deepEqual(s.timer(700), syn, 'SYN retransmitted at the initial RTO');
  t.is(s.engine.digest(conn)!.rtxDeadline, 1700, 'doubled to 1400, capped at 1000');
  s.in(1710, { flags: 'S.', seq: 9000, ack: 5001, options: { mss: 1000 }, ...P });
  t.is(s.engine.digest(conn)!.rto, 700, 'no sample from the retransmitted SYN (Karn)');
  s.run({ kind: 'send', now: 1720, conn, bytes: new Uint8Array(10) });
  t.is(s.engine.digest(conn)!.rtxDeadline, 2420);
  // A first clean sample of 20 ms: RTO = max(min, 20 + 4 * 10) = 300.
  s.in(1740, { flags: '.', seq: 9001, ack: 5011, ...P });
  t.is(s.engine.digest(conn)!.rto, 300);
  s.run({ kind: 'send', now: 1750, conn, bytes: new Uint8Array(10) });
  const want = ['P. 5011:5021(10) ack 9001 win 65535'];
  let at = 2050;
  for (const gap of [600, 1000, 1000]) {
    t.deepEqual(s.timer(at), want);
    t.is(s.engine.digest(conn)!.rtxDeadline, at + gap);
    at += gap;
  }
  // The ACK of the retransmission gives no sample (Karn): SRTT stays 20 ms.
  const srtt8 = s.engine.conns.get(conn)!.srtt8;
  s.in(at - 10, { flags: '.', seq: 9001, ack: 5021, ...P });
  t.is(s.engine.conns.get(conn)!.srtt8, srtt8);
  t.is(s.engine.digest(conn)!.rto, 300);
});

test('slow start: cwnd grows by at most one MSS per ACK, however much it acknowledges', (t) => {
  const { s, iss, conn } = openPassive(1000, { initialWindow: 2 });
  t.is(rawSegs(s.run({ kind: 'send', now: 20, conn, bytes: new Uint8Array(20000) })).length, 2);
  t.is(s.engine.digest(conn)!.cwnd, 2000);
  t.is(s.in(30, { flags: '.', seq: 1001, ack: iss + 1001, win: 60000 }).length, 2);
  t.is(s.engine.digest(conn)!.cwnd, 3000);
  t.is(s.in(31, { flags: '.', seq: 1001, ack: iss + 4001, win: 60000 }).length, 4);
  t.is(s.engine.digest(conn)!.cwnd, 4000, 'a 3000-byte ACK adds one MSS (RFC 5681 3.1)');
});

test('congestion avoidance: one MSS per window of acknowledged bytes', (t) => {
  const { s, conn } = openPassive(1000);
  const tcb = s.engine.conns.get(conn)!;
  const c = { ...tcb, cwnd: 4000, ssthresh: 4000, bytesAcked: 0, inRecovery: false };
  for (let k = 0; k < 3; k++) newReno.onAck(c, 1000, 0);
  t.is(c.cwnd, 4000);
  newReno.onAck(c, 1000, 0);
  t.is(c.cwnd, 5000);
  for (let k = 0; k < 4; k++) newReno.onAck(c, 1000, 0);
  t.is(c.cwnd, 5000, '4000 of the next 5000 bytes');
  newReno.onAck(c, 1000, 0);
  t.is(c.cwnd, 6000);
});

test('delayed ACK: 0 ACKs every segment at once; a longer delay is honoured', (t) => {
  const a = openPassive(1000, { delayedAckMs: 0 });
  t.deepEqual(a.s.in(20, { flags: 'P.', seq: 1001, ack: a.iss + 1, len: 10 }), [
    `. ${A(a.iss + 1)}:${A(a.iss + 1)}(0) ack 1011 win 4086`,
  ]);
  const b = openPassive(1000, { delayedAckMs: 150 });
  t.deepEqual(b.s.in(20, { flags: 'P.', seq: 1001, ack: b.iss + 1, len: 10 }), []);
  t.is(b.s.engine.digest(b.conn)!.ackDeadline, 170);
  t.deepEqual(b.s.timer(169), []);
  t.deepEqual(b.s.timer(170), [`. ${A(b.iss + 1)}:${A(b.iss + 1)}(0) ack 1011 win 4086`]);
});

test('sender SWS avoidance: no small segment into a small window, even with Nagle off', (t) => {
  const { s, iss, conn } = openPassive(1000);
  s.run({ kind: 'setopt', now: 11, conn, opts: { nagle: false } });
  s.in(12, { flags: '.', seq: 1001, ack: iss + 1, win: 300 });
  t.deepEqual(segs(s.run({ kind: 'send', now: 20, conn, bytes: new Uint8Array(1000) })), []);
  t.is(s.engine.digest(conn)!.persistDeadline, 220);
  t.deepEqual(
    s.timer(220),
    [`P. ${A(iss + 1)}:${A(iss + 301)}(300) ack 1001 win 4096`],
    'the persist timer sends what fits',
  );
  t.deepEqual(s.in(230, { flags: '.', seq: 1001, ack: iss + 301, win: 8000 }), [
    `P. ${A(iss + 301)}:${A(iss + 1001)}(700) ack 1001 win 4096`,
  ]);
});

test('persist: the probe interval backs off to RTO.MAX and the connection never gives up', (t) => {
  const { s, iss, conn } = openPassive(1000, { rtoMaxMs: 1500, maxRetries: 1, userTimeoutMs: 500 });
  s.in(12, { flags: '.', seq: 1001, ack: iss + 1, win: 0 });
  s.run({ kind: 'send', now: 20, conn, bytes: new Uint8Array(100) });
  const probe = `. ${A(iss)}:${A(iss)}(0) ack 1001 win 4096`;
  let at = s.engine.digest(conn)!.persistDeadline;
  const gaps: number[] = [];
  for (let k = 0; k < 8; k++) {
    t.deepEqual(s.timer(at), [probe]);
    t.deepEqual(s.in(at + 1, { flags: '.', seq: 1001, ack: iss + 1, win: 0 }), []);
    const next = s.engine.digest(conn)!.persistDeadline;
    gaps.push(next - at);
    at = next;
  }
  t.deepEqual(gaps, [400, 800, 1500, 1500, 1500, 1500, 1500, 1500]);
  t.is(s.engine.info(conn)!.state, TcpState.ESTABLISHED);
});

test('bounded reassembly: out-of-order data beyond oooLimit is dropped, then retransmitted', (t) => {
  const { s, iss, conn } = openPassive(1000, { rcvBuf: 8000, oooLimit: 2000 });
  for (const seq of [2001, 3001, 4001]) s.in(20, { flags: '.', seq, ack: iss + 1, len: 1000 });
  t.is(s.engine.conns.get(conn)!.ooo.bytes, 2000);
  s.in(30, { flags: '.', seq: 1001, ack: iss + 1, len: 1000 });
  t.is(s.data(), 3000, 'the gap and the two held segments');
  t.is(s.engine.digest(conn)!.rcvNxt, 4001, 'the third was not kept');
  t.deepEqual(segs(s.outs), [`. ${A(iss + 1)}:${A(iss + 1)}(0) ack 4001 win 5000`]);
});

test('LAST-ACK: the FIN is retransmitted on timeout; an RST at RCV.NXT ends it without error', (t) => {
  const { s, iss, conn } = openPassive();
  s.in(20, { flags: 'F.', seq: 1001, ack: iss + 1 });
  s.run({ kind: 'close', now: 30, conn });
  t.is(s.engine.info(conn)!.state, TcpState.LAST_ACK);
  t.deepEqual(s.timer(230), [`F. ${A(iss + 1)}:${A(iss + 1)}(0) ack 1002 win 4096`]);
  t.deepEqual(s.in(240, { flags: 'R', seq: 1002 }), []);
  t.deepEqual(s.events(), ['closed']);
});

test('CLOSING: a retransmitted peer FIN is re-ACKed; an RST at RCV.NXT ends it without error', (t) => {
  const { s, iss, conn } = openPassive();
  s.run({ kind: 'close', now: 20, conn });
  s.in(30, { flags: 'F.', seq: 1001, ack: iss + 1 });
  t.is(s.engine.info(conn)!.state, TcpState.CLOSING);
  t.deepEqual(s.in(40, { flags: 'F.', seq: 1001, ack: iss + 1 }), [
    `. ${A(iss + 2)}:${A(iss + 2)}(0) ack 1002 win 4096`,
  ]);
  t.deepEqual(s.in(50, { flags: 'R', seq: 1002 }), []);
  t.deepEqual(s.events(), ['closed']);
});
