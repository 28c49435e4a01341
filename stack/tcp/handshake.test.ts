import test from 'ava';
import { TcpState } from './api.ts';
import { rawSegs, Script, segs } from './sim/script.ts';

const CFG = { rcvBuf: 4096, mss: 1460 };

test('passive open: SYN → SYN-ACK with our options; ACK → ESTABLISHED and accepted', (t) => {
  const s = new Script(CFG);
  s.run({ kind: 'listen', now: 0, port: 80, backlog: 4 });
  const out = s.in(0, { flags: 'S', seq: 1000, win: 8000, options: { mss: 1000, wscale: 2 } });
  const iss = rawSegs(s.outs)[0]!.seq;
  t.deepEqual(out, [`S. ${iss}:${iss}(0) ack 1001 win 4096 <mss 1460,wscale 7>`]);
  t.deepEqual(s.events(), []);
  t.deepEqual(s.in(5, { flags: '.', seq: 1001, ack: iss + 1, win: 100 }), []);
  t.deepEqual(s.events(), ['accepted']);
  const c = s.engine.connections()[0]!;
  t.is(s.engine.info(c)!.state, TcpState.ESTABLISHED);
  const d = s.engine.digest(c)!;
  t.is(d.sndWnd, 400, 'window scaled by the peer shift 2');
  t.is(d.rtxDeadline, -1);
});

test('passive open: SYN-ACK retransmitted with backoff, then gives up silently', (t) => {
  const s = new Script({ ...CFG, synRetries: 2 });
  s.run({ kind: 'listen', now: 0, port: 80, backlog: 4 });
  s.in(0, { flags: 'S', seq: 1000, options: { mss: 1000 } });
  const iss = rawSegs(s.outs)[0]!.seq;
  const synack = `S. ${iss}:${iss}(0) ack 1001 win 4096 <mss 1460>`;
  t.is(s.engine.nextDeadline(), 1000);
  t.deepEqual(s.timer(999), []);
  t.deepEqual(s.timer(1000), [synack]);
  t.is(s.engine.nextDeadline(), 3000);
  t.deepEqual(s.timer(3000), [synack]);
  t.deepEqual(s.timer(7000), []);
  t.deepEqual(s.events(), [], 'a child the app never saw ends without events');
  t.deepEqual(s.engine.connections(), []);
});

test('passive open: duplicate SYN in SYN-RECEIVED re-sends the SYN-ACK', (t) => {
  const s = new Script(CFG);
  s.run({ kind: 'listen', now: 0, port: 80, backlog: 4 });
  s.in(0, { flags: 'S', seq: 1000, options: { mss: 1000 } });
  const iss = rawSegs(s.outs)[0]!.seq;
  t.deepEqual(s.in(300, { flags: 'S', seq: 1000, options: { mss: 1000 } }), [
    `S. ${iss}:${iss}(0) ack 1001 win 4096 <mss 1460>`,
  ]);
});

test('passive open: bad ACK in SYN-RECEIVED gets RST, RST returns to LISTEN', (t) => {
  const s = new Script(CFG);
  s.run({ kind: 'listen', now: 0, port: 80, backlog: 4 });
  s.in(0, { flags: 'S', seq: 1000 });
  const iss = rawSegs(s.outs)[0]!.seq;
  t.deepEqual(s.in(1, { flags: '.', seq: 1001, ack: iss + 5 }), [
    `R ${iss + 5}:${iss + 5}(0) win 0`,
  ]);
  t.deepEqual(s.in(2, { flags: 'R', seq: 1001 }), []);
  t.deepEqual(s.engine.connections(), []);
  t.deepEqual(s.events(), []);
  // The listener still answers.
  t.is(s.in(3, { flags: 'S', seq: 7000 }).length, 1);
});

test('listen backlog: SYNs beyond the backlog are dropped', (t) => {
  const s = new Script(CFG);
  s.run({ kind: 'listen', now: 0, port: 80, backlog: 2 });
  t.is(s.in(0, { flags: 'S', seq: 1, srcPort: 1 }).length, 1);
  t.is(s.in(0, { flags: 'S', seq: 1, srcPort: 2 }).length, 1);
  t.deepEqual(s.in(0, { flags: 'S', seq: 1, srcPort: 3 }), []);
});

test('active open: SYN, SYN-ACK → ACK, established; MSS and window scale negotiated', (t) => {
  const s = new Script(CFG);
  const out = s.connect(0, 5000);
  t.deepEqual(
    out.flatMap((o) => (o.kind === 'segment' ? [o.segment.flags] : [])),
    [0x02],
  );
  const c = s.engine.connections()[0]!;
  t.deepEqual(
    s.in(50, {
      flags: 'S.',
      seq: 9000,
      ack: 5001,
      win: 1000,
      options: { mss: 536, wscale: 3 },
      srcPort: 80,
      dstPort: 40000,
    }),
    ['. 5001:5001(0) ack 9001 win 32'],
  );
  t.deepEqual(s.events(), ['established']);
  const d = s.engine.digest(c)!;
  t.is(d.sndWnd, 1000, "the SYN-ACK's window is not scaled");
  t.is(d.rto, 200, 'first RTT sample 50 ms: RTO = max(200, 50 + 4*25)');
  t.is(s.engine.conns.get(c)!.mss, 536);
});

test('active open: RST with acceptable ACK in SYN-SENT → refused', (t) => {
  const s = new Script(CFG);
  s.connect(0, 5000);
  t.deepEqual(
    s.in(1, { flags: 'R.', seq: 0, ack: 4000, srcPort: 80, dstPort: 40000 }),
    [],
    'bad ACK: ignored',
  );
  t.deepEqual(s.in(1, { flags: 'R.', seq: 0, ack: 5001, srcPort: 80, dstPort: 40000 }), []);
  t.deepEqual(s.events(), ['closed:refused']);
  t.deepEqual(s.engine.connections(), []);
});

test('active open: unacceptable ACK in SYN-SENT gets RST; SYN retries then timed-out', (t) => {
  const s = new Script({ ...CFG, synRetries: 1 });
  s.connect(0, 0xffffffff);
  t.deepEqual(s.in(1, { flags: 'S.', seq: 1, ack: 77, srcPort: 80, dstPort: 40000 }), [
    'R 77:77(0) win 0',
  ]);
  t.deepEqual(s.timer(1000), ['S 4294967295:4294967295(0) win 4096 <mss 1460,wscale 7>']);
  t.deepEqual(s.timer(3000), []);
  t.deepEqual(s.events(), ['closed:timed-out']);
});

test('simultaneous open: SYN in SYN-SENT → SYN-ACK; its SYN-ACK → ESTABLISHED', (t) => {
  const s = new Script(CFG);
  s.connect(0, 5000);
  const p = { srcPort: 80, dstPort: 40000 };
  t.deepEqual(
    s.in(10, { flags: 'S', seq: 9000, win: 2000, options: { mss: 1000, wscale: 1 }, ...p }),
    ['S. 5000:5000(0) ack 9001 win 4096 <mss 1460,wscale 7>'],
  );
  t.deepEqual(
    s.in(20, {
      flags: 'S.',
      seq: 9000,
      ack: 5001,
      win: 2000,
      options: { mss: 1000, wscale: 1 },
      ...p,
    }),
    [],
  );
  t.deepEqual(s.events(), ['established']);
  t.is(s.engine.digest(s.engine.connections()[0]!)!.state, TcpState.ESTABLISHED);
});

test('closed port: RST per RFC 9293 3.10.7.1; nothing for an RST', (t) => {
  const s = new Script(CFG);
  t.deepEqual(s.in(0, { flags: 'S', seq: 100 }), ['R. 0:0(0) ack 101 win 0']);
  t.deepEqual(s.in(0, { flags: 'P.', seq: 100, ack: 555, len: 10 }), ['R 555:555(0) win 0']);
  t.deepEqual(s.in(0, { flags: 'F', seq: 100, len: 3 }), ['R. 0:0(0) ack 104 win 0']);
  t.deepEqual(s.in(0, { flags: 'R', seq: 100 }), []);
  t.deepEqual(s.in(0, { flags: '.', seq: 0xffffffff, ack: 0xfffffff0 }), [
    'R 4294967280:4294967280(0) win 0',
  ]);
});

test('listener: ACK without connection gets RST, stray FIN is dropped', (t) => {
  const s = new Script(CFG);
  s.run({ kind: 'listen', now: 0, port: 80, backlog: 4 });
  t.deepEqual(s.in(0, { flags: '.', seq: 1, ack: 99 }), ['R 99:99(0) win 0']);
  t.deepEqual(s.in(0, { flags: 'F', seq: 1 }), []);
  t.deepEqual(s.in(0, { flags: 'R', seq: 1 }), []);
});

test('data written before the handshake completes goes out intact (normal and simultaneous open)', (t) => {
  const p = { srcPort: 80, dstPort: 40000 };
  const a = new Script(CFG);
  a.connect(0, 5000);
  const c = a.engine.connections()[0]!;
  t.deepEqual(segs(a.run({ kind: 'send', now: 1, conn: c, bytes: new Uint8Array(10) })), []);
  t.deepEqual(a.in(10, { flags: 'S.', seq: 9000, ack: 5001, options: { mss: 1000 }, ...p }), [
    'P. 5001:5011(10) ack 9001 win 4096',
  ]);

  const b = new Script(CFG);
  b.connect(0, 5000);
  b.run({ kind: 'send', now: 1, conn: c, bytes: new Uint8Array(10) });
  b.in(10, { flags: 'S', seq: 9000, options: { mss: 1000 }, ...p });
  t.deepEqual(b.in(20, { flags: 'S.', seq: 9000, ack: 5001, options: { mss: 1000 }, ...p }), [
    'P. 5001:5011(10) ack 9001 win 4096',
  ]);
  t.is(b.engine.info(c)!.sendQueued, 10);
  b.in(30, { flags: '.', seq: 9001, ack: 5011, ...p });
  t.is(b.engine.info(c)!.sendQueued, 0);
});
