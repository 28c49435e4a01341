import test from 'ava';
import { openPassive, rawSegs, Script, segs } from './sim/script.ts';

const A = (n: number) => n >>> 0;

test('timestamps: offered back, TSval from now + offset, PAWS drops an old TSval', (t) => {
  const s = new Script({ rcvBuf: 4096, timestamps: true });
  s.run({ kind: 'listen', now: 0, port: 80, backlog: 4 });
  s.in(100, { flags: 'S', seq: 1000, options: { mss: 1460, timestamp: { value: 500, echo: 0 } } });
  const synack = rawSegs(s.outs)[0]!;
  t.deepEqual(synack.options.timestamp?.echo, 500);
  t.is(synack.options.mss, 1460);
  const tsv = synack.options.timestamp!.value;
  s.in(110, {
    flags: '.',
    seq: 1001,
    ack: synack.seq + 1,
    options: { timestamp: { value: 510, echo: tsv } },
  });
  const conn = s.engine.connections()[0]!;
  t.is(s.engine.conns.get(conn)!.mss, 1448, 'MSS minus 12 bytes of timestamp option');
  s.in(120, {
    flags: 'P.',
    seq: 1001,
    ack: synack.seq + 1,
    len: 10,
    options: { timestamp: { value: 520, echo: tsv } },
  });
  t.is(s.data(), 10);
  const ack = rawSegs(s.run({ kind: 'timer', now: 160 }))[0]!;
  t.deepEqual(ack.options.timestamp, { value: A(tsv + 60), echo: 520 });
  // PAWS: TSval older than TS.Recent → dropped and ACKed.
  const out = s.in(170, {
    flags: 'P.',
    seq: 1011,
    ack: synack.seq + 1,
    len: 10,
    options: { timestamp: { value: 400, echo: tsv } },
  });
  t.is(out.length, 1);
  t.is(s.data(), 0);
  // RTT from the echoed TSval.
  s.run({ kind: 'send', now: 200, conn, bytes: new Uint8Array(100) });
  const sent = rawSegs(s.outs)[0]!;
  s.in(230, {
    flags: '.',
    seq: 1011,
    ack: synack.seq + 101,
    options: { timestamp: { value: 530, echo: sent.options.timestamp!.value } },
  });
  t.is(s.engine.conns.get(conn)!.srtt8 >> 3, 12, 'SRTT = 7/8 · 10 + 1/8 · 30');
});

test('timestamps and SACK declined when the peer does not offer them', (t) => {
  const s = new Script({ rcvBuf: 4096, timestamps: true, sack: true });
  s.run({ kind: 'listen', now: 0, port: 80, backlog: 4 });
  s.in(0, { flags: 'S', seq: 1000, options: { mss: 1460 } });
  t.deepEqual(rawSegs(s.outs)[0]!.options, { mss: 1460 });
});

test('active open offers mss, wscale, sackOK and timestamps', (t) => {
  const s = new Script({ rcvBuf: 100000, timestamps: true, sack: true });
  const out = s.connect(7, 1);
  const syn = rawSegs(out)[0]!;
  t.is(syn.options.mss, 1460);
  t.is(syn.options.wscale, 7);
  t.true(syn.options.sackPermitted);
  t.is(syn.options.timestamp!.echo, 0);
  t.is(syn.window, 65535, 'the SYN window is unscaled and capped');
});

test('window scaling: announced window is shifted, right edge never moves left', (t) => {
  const { s, iss, conn } = openPassive(1000, { rcvBuf: 100000 }, { mss: 1000, wscale: 0 });
  s.in(20, { flags: '.', seq: 1001, ack: iss + 1, len: 1000 });
  s.in(21, { flags: '.', seq: 2001, ack: iss + 1, len: 1000 });
  const ack = rawSegs(s.outs)[0]!; // every second full-size (1000-byte) segment is ACKed at once
  t.is(ack.window, (100000 - 2000) >> 7);
  const t1 = s.engine.conns.get(conn)!;
  t.true(
    ((t1.rcvAdv - t1.rcvNxt) | 0) >= 98000 - 128,
    'edge rounded, not shrunk past a scale unit',
  );
  // The peer's window is scaled by its shift (0 here).
  s.in(30, { flags: '.', seq: 3001, ack: iss + 1, win: 777 });
  t.is(s.engine.digest(conn)!.sndWnd, 777);
});

test('peer MSS absent → 536; tiny MSS clamped to 48', (t) => {
  const a = openPassive(1000, {}, {});
  t.is(a.s.engine.conns.get(a.conn)!.mss, 536);
  const b = openPassive(1000, {}, { mss: 10 });
  t.is(b.s.engine.conns.get(b.conn)!.mss, 48);
});

test('sequence numbers across 2^32: data, ACKs and FIN wrap', (t) => {
  const irs = 0xffffff00;
  const { s, iss, conn } = openPassive(irs, { rcvBuf: 4096 });
  s.in(20, { flags: '.', seq: irs + 1, ack: iss + 1, len: 1000 });
  s.in(21, { flags: 'P.', seq: A(irs + 1001), ack: iss + 1, len: 1000 });
  t.is(s.data(), 1000);
  t.is(s.engine.digest(conn)!.rcvNxt, A(irs + 2001));
  t.true(s.engine.digest(conn)!.rcvNxt < irs, 'RCV.NXT wrapped past zero');
  t.deepEqual(s.in(22, { flags: 'F.', seq: A(irs + 2001), ack: iss + 1 }), [
    `. ${A(iss + 1)}:${A(iss + 1)}(0) ack ${A(irs + 2002)} win 2095`,
  ]);
  t.deepEqual(s.events(), ['peer-fin']);
});

test('sending across 2^32 with the active ISN just below the wrap', (t) => {
  const s = new Script({ rcvBuf: 4096 });
  s.connect(0, 0xfffffff0);
  const c = s.engine.connections()[0]!;
  s.in(10, {
    flags: 'S.',
    seq: 1,
    ack: 0xfffffff1,
    win: 8000,
    options: { mss: 1000 },
    srcPort: 80,
    dstPort: 40000,
  });
  t.deepEqual(segs(s.run({ kind: 'send', now: 20, conn: c, bytes: new Uint8Array(1500) })), [
    '. 4294967281:985(1000) ack 2 win 4096',
  ]);
  t.deepEqual(s.in(30, { flags: '.', seq: 2, ack: 985, win: 8000, srcPort: 80, dstPort: 40000 }), [
    'P. 985:1485(500) ack 2 win 4096',
  ]);
  t.is(s.engine.digest(c)!.sndUna, 985);
  t.is(s.engine.info(c)!.sendQueued, 500);
  t.deepEqual(s.timer(230), ['P. 985:1485(500) ack 2 win 4096']);
});
