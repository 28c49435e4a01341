import test from 'ava';
import { TCP_STATE_NAMES, TcpState } from './api.ts';
import { openPassive, segs } from './sim/script.ts';

const A = (n: number) => n >>> 0;
const state = (s: ReturnType<typeof openPassive>['s'], c: number) =>
  TCP_STATE_NAMES[s.engine.info(c)?.state ?? TcpState.CLOSED];

test('active close: FIN-WAIT-1 → FIN-WAIT-2 → TIME-WAIT → CLOSED after 2MSL', (t) => {
  const { s, iss, conn } = openPassive(1000, { msl2Ms: 5000 });
  t.deepEqual(segs(s.run({ kind: 'close', now: 20, conn })), [
    `F. ${A(iss + 1)}:${A(iss + 1)}(0) ack 1001 win 4096`,
  ]);
  t.is(state(s, conn), 'FIN-WAIT-1');
  t.deepEqual(s.in(30, { flags: '.', seq: 1001, ack: iss + 2 }), []);
  t.is(state(s, conn), 'FIN-WAIT-2');
  t.deepEqual(s.in(40, { flags: 'F.', seq: 1001, ack: iss + 2 }), [
    `. ${A(iss + 2)}:${A(iss + 2)}(0) ack 1002 win 4096`,
  ]);
  t.is(state(s, conn), 'TIME-WAIT');
  t.deepEqual(s.events(), ['peer-fin']);
  // A retransmitted FIN is re-ACKed and restarts the timer.
  t.deepEqual(s.in(1000, { flags: 'F.', seq: 1001, ack: iss + 2 }), [
    `. ${A(iss + 2)}:${A(iss + 2)}(0) ack 1002 win 4096`,
  ]);
  t.is(s.engine.digest(conn)!.timeWaitDeadline, 6000);
  // RST in TIME-WAIT is ignored (RFC 1337).
  t.deepEqual(s.in(1100, { flags: 'R', seq: 1002 }), []);
  t.is(state(s, conn), 'TIME-WAIT');
  t.deepEqual(s.timer(6000), []);
  t.is(state(s, conn), 'CLOSED');
  t.deepEqual(s.events(), ['closed']);
});

test('passive close: CLOSE-WAIT (half-close, still sending) → LAST-ACK → CLOSED', (t) => {
  const { s, iss, conn } = openPassive();
  s.in(20, { flags: 'F.', seq: 1001, ack: iss + 1 });
  t.deepEqual(s.events(), ['peer-fin']);
  t.is(state(s, conn), 'CLOSE-WAIT');
  t.is(
    segs(s.run({ kind: 'send', now: 25, conn, bytes: new Uint8Array(5) })).length,
    1,
    'half-closed: we may still send',
  );
  s.in(30, { flags: '.', seq: 1002, ack: iss + 6 });
  t.deepEqual(segs(s.run({ kind: 'shutdown', now: 40, conn })), [
    `F. ${A(iss + 6)}:${A(iss + 6)}(0) ack 1002 win 4096`,
  ]);
  t.is(state(s, conn), 'LAST-ACK');
  t.deepEqual(s.in(50, { flags: '.', seq: 1002, ack: iss + 7 }), []);
  t.deepEqual(s.events(), ['closed']);
  t.deepEqual(s.engine.connections(), []);
});

test('half-close: after our shutdown we keep receiving in FIN-WAIT-2', (t) => {
  const { s, iss, conn } = openPassive();
  s.run({ kind: 'shutdown', now: 20, conn });
  s.in(30, { flags: '.', seq: 1001, ack: iss + 2 });
  t.is(state(s, conn), 'FIN-WAIT-2');
  s.in(40, { flags: 'P.', seq: 1001, ack: iss + 2, len: 300 });
  t.is(s.data(), 300);
  t.is(s.engine.digest(conn)!.timeWaitDeadline, -1, 'no orphan timeout: the app still reads');
});

test('simultaneous close: FIN-WAIT-1 → CLOSING → TIME-WAIT', (t) => {
  const { s, iss, conn } = openPassive();
  s.run({ kind: 'close', now: 20, conn });
  t.deepEqual(s.in(30, { flags: 'F.', seq: 1001, ack: iss + 1 }), [
    `. ${A(iss + 2)}:${A(iss + 2)}(0) ack 1002 win 4096`,
  ]);
  t.is(state(s, conn), 'CLOSING');
  s.in(40, { flags: '.', seq: 1002, ack: iss + 2 });
  t.is(state(s, conn), 'TIME-WAIT');
});

test('FIN and ACK of our FIN together: FIN-WAIT-1 → TIME-WAIT', (t) => {
  const { s, iss, conn } = openPassive();
  s.run({ kind: 'close', now: 20, conn });
  s.in(30, { flags: 'F.', seq: 1001, ack: iss + 2 });
  t.is(state(s, conn), 'TIME-WAIT');
});

test('our FIN is retransmitted on timeout', (t) => {
  const { s, iss, conn } = openPassive();
  s.run({ kind: 'close', now: 20, conn });
  t.deepEqual(s.timer(220), [`F. ${A(iss + 1)}:${A(iss + 1)}(0) ack 1001 win 4096`]);
});

test('orphaned FIN-WAIT-2 times out', (t) => {
  const { s, iss, conn } = openPassive(1000, { finWait2TimeoutMs: 3000 });
  s.run({ kind: 'close', now: 20, conn });
  s.in(30, { flags: '.', seq: 1001, ack: iss + 2 });
  t.deepEqual(s.timer(3030), []);
  t.is(state(s, conn), 'CLOSED');
});

test('out-of-order FIN is held until the gap fills', (t) => {
  const { s, iss, conn } = openPassive();
  s.in(20, { flags: 'F.', seq: 1101, ack: iss + 1, len: 10 });
  t.deepEqual(s.events(), []);
  t.deepEqual(s.in(21, { flags: '.', seq: 1001, ack: iss + 1, len: 100 }), [
    `. ${A(iss + 1)}:${A(iss + 1)}(0) ack 1112 win 3985`,
  ]);
  t.deepEqual(s.events(), ['peer-fin']);
  t.is(state(s, conn), 'CLOSE-WAIT');
});

test('abort sends RST; close with unread data sends RST; data after close gets RST', (t) => {
  const a = openPassive();
  t.deepEqual(segs(a.s.run({ kind: 'abort', now: 20, conn: a.conn })), [
    `R. ${A(a.iss + 1)}:${A(a.iss + 1)}(0) ack 1001 win 0`,
  ]);
  t.deepEqual(a.s.events(), ['closed:aborted']);

  const b = openPassive();
  b.s.in(20, { flags: 'P.', seq: 1001, ack: b.iss + 1, len: 5 });
  t.deepEqual(segs(b.s.run({ kind: 'close', now: 21, conn: b.conn })), [
    `R. ${A(b.iss + 1)}:${A(b.iss + 1)}(0) ack 1006 win 0`,
  ]);

  const c = openPassive();
  c.s.run({ kind: 'close', now: 20, conn: c.conn });
  c.s.in(30, { flags: '.', seq: 1001, ack: c.iss + 2 });
  t.deepEqual(c.s.in(40, { flags: 'P.', seq: 1001, ack: c.iss + 2, len: 5 }), [
    `R. ${A(c.iss + 2)}:${A(c.iss + 2)}(0) ack 1001 win 0`,
  ]);
  t.is(state(c.s, c.conn), 'CLOSED');
});

test('RST: exact sequence resets; in-window gets a challenge ACK; outside is ignored (RFC 5961)', (t) => {
  const { s, iss, conn } = openPassive();
  const ack = `. ${A(iss + 1)}:${A(iss + 1)}(0) ack 1001 win 4096`;
  t.deepEqual(s.in(20, { flags: 'R', seq: 1500 }), [ack]);
  t.deepEqual(s.in(21, { flags: 'R', seq: 900000 }), []);
  t.is(state(s, conn), 'ESTABLISHED');
  t.deepEqual(s.in(22, { flags: 'R', seq: 1001 }), []);
  t.deepEqual(s.events(), ['closed:reset']);
});

test('SYN in a synchronised state gets a challenge ACK and changes nothing', (t) => {
  const { s, iss, conn } = openPassive();
  const before = s.engine.snapshotConnection(conn);
  t.deepEqual(s.in(20, { flags: 'S', seq: 5555 }), [
    `. ${A(iss + 1)}:${A(iss + 1)}(0) ack 1001 win 4096`,
  ]);
  t.deepEqual(s.engine.snapshotConnection(conn), before);
});

test('ACK validation: ACK of unsent data is answered and dropped; too old ACK gets a challenge', (t) => {
  const { s, iss, conn } = openPassive();
  t.deepEqual(s.in(20, { flags: 'P.', seq: 1001, ack: iss + 50, len: 10 }), [
    `. ${A(iss + 1)}:${A(iss + 1)}(0) ack 1001 win 4096`,
  ]);
  t.is(s.data(), 0);
  t.deepEqual(s.in(21, { flags: 'P.', seq: 1001, ack: iss - 100000, len: 10 }), [
    `. ${A(iss + 1)}:${A(iss + 1)}(0) ack 1001 win 4096`,
  ]);
  t.is(s.data(), 0);
  t.is(state(s, conn), 'ESTABLISHED');
});

test('unacceptable segment (old duplicate) is ACKed and dropped', (t) => {
  const { s, iss } = openPassive();
  s.in(20, { flags: 'P.', seq: 1001, ack: iss + 1, len: 10 });
  t.deepEqual(s.in(21, { flags: 'P.', seq: 1001, ack: iss + 1, len: 10 }), [
    `. ${A(iss + 1)}:${A(iss + 1)}(0) ack 1011 win 4086`,
  ]);
  t.is(s.data(), 0);
});

test('TIME-WAIT: a new SYN with a higher sequence number reopens the port', (t) => {
  const { s, iss, conn } = openPassive();
  s.run({ kind: 'close', now: 20, conn });
  s.in(30, { flags: 'F.', seq: 1001, ack: iss + 2 });
  t.is(state(s, conn), 'TIME-WAIT');
  const out = s.in(40, { flags: 'S', seq: 90000 });
  t.is(out.length, 1);
  t.true(out[0]!.startsWith('S. '));
  t.deepEqual(s.events(), ['closed']);
});

test('unacceptable pure ACKs are answered at most every 500 ms; zero-window probes always', (t) => {
  const { s, iss } = openPassive();
  const ack = `. ${A(iss + 1)}:${A(iss + 1)}(0) ack 1001 win 4096`;
  t.deepEqual(s.in(20, { flags: '.', seq: 900, ack: iss + 1 }), [ack]);
  t.deepEqual(s.in(21, { flags: '.', seq: 900, ack: iss + 1 }), []);
  t.deepEqual(s.in(22, { flags: '.', seq: 1000, ack: iss + 1 }), [ack], 'probe at RCV.NXT - 1');
  t.deepEqual(s.in(23, { flags: '.', seq: 1000, ack: iss + 1 }), [ack]);
  t.deepEqual(s.in(520, { flags: '.', seq: 900, ack: iss + 1 }), [ack]);
  t.deepEqual(
    s.in(521, { flags: 'P.', seq: 900, ack: iss + 1, len: 5 }),
    [ack],
    'old data is always ACKed',
  );
});
