/** packetdrill-style scripts (see sim/drill.ts) for the exchanges a Linux 6.x peer produces. */
import test from 'ava';
import { runDrill } from './sim/drill.ts';

const TS = { timestamps: true, sack: true };

test('Linux client: SYN with TS/SACK/wscale, data both ways, Nagle, passive close', (t) => {
  t.notThrows(() =>
    runDrill(
      `
0     listen 80
0     < S 0:0(0) win 64240 <mss 1460,sackOK,TS val 1000 ecr 0,nop,wscale 7>
+0    > S. 0:0(0) ack 1 win 65535 <mss 1460,sackOK,TS val * ecr 1000,wscale 7>
+.01  < . 1:1(0) ack 1 win 502 <nop,nop,TS val 1010 ecr *>
+0    event accepted
+0    state ESTABLISHED
// One small segment: the ACK waits for the 40 ms delayed-ACK timer.
+.01  < P. 1:101(100) ack 1 win 502 <nop,nop,TS val 1020 ecr *>
+.04  > . 1:1(0) ack 101 win 2047 <TS val * ecr 1020>
+0    consume 100
// 3000 bytes out: two full segments, the 104-byte tail waits for an ACK (Nagle).
+0    send 3000
+0    > . 1:1449(1448) ack 101 win 2048 <TS val * ecr 1020>
+0    > . 1449:2897(1448) ack 101 win 2048 <TS val * ecr 1020>
+.01  < . 101:101(0) ack 2897 win 502 <nop,nop,TS val 1040 ecr *>
+0    > P. 2897:3001(104) ack 101 win 2048 <TS val * ecr 1040>
+.01  < . 101:101(0) ack 3001 win 502 <nop,nop,TS val 1050 ecr *>
// The peer closes; we ACK its FIN at once, then close ourselves.
+.01  < F. 101:101(0) ack 3001 win 502 <nop,nop,TS val 1060 ecr *>
+0    > . 3001:3001(0) ack 102 win 2048 <TS val * ecr 1060>
+0    event peer-fin
+0    state CLOSE-WAIT
// (close with unread data would send RST instead, as Linux does)
+0    close
+0    > F. 3001:3001(0) ack 102 win 2048 <TS val * ecr 1060>
+0    state LAST-ACK
+.01  < . 102:102(0) ack 3002 win 502 <nop,nop,TS val 1070 ecr *>
+0    event closed
`,
      TS,
    ),
  );
});

test('active open near 2^32: SYN retransmitted after 1 s, SYN-ACK without timestamps', (t) => {
  t.notThrows(() =>
    runDrill(
      `
0     connect 40000 80 isn 4294967290
0     > S 0:0(0) win 65535 <mss 1460,sackOK,TS val * ecr 0,wscale 7>
1.000 > S 0:0(0) win 65535 <mss 1460,sackOK,TS val * ecr 0,wscale 7>
+.02  < S. 0:0(0) ack 1 win 29200 <mss 1460,nop,nop,sackOK,nop,wscale 7>
+0    > . 1:1(0) ack 1 win 2048
+0    event established
+0    send 10
+0    > P. 1:11(10) ack 1 win 2048
+.02  < . 1:1(0) ack 11 win 229
`,
      TS,
    ),
  );
});

test('zero-window probe from Linux (SEQ = RCV.NXT - 1) is answered every time', (t) => {
  t.notThrows(() =>
    runDrill(
      `
0     listen 80
0     < S 0:0(0) win 64240 <mss 1460,nop,wscale 7>
+0    > S. 0:0(0) ack 1 win 4096 <mss 1460,wscale 7>
+.01  < . 1:1(0) ack 1 win 502
+0    event accepted
+.01  < P. 1:4097(4096) ack 1 win 502
+0    > . 1:1(0) ack 4097 win 0
+.2   < . 4096:4096(0) ack 1 win 502
+0    > . 1:1(0) ack 4097 win 0
+.4   < . 4096:4096(0) ack 1 win 502
+0    > . 1:1(0) ack 4097 win 0
+0    consume 4096
+0    > . 1:1(0) ack 4097 win 32
`,
      { rcvBuf: 4096 },
    ),
  );
});

test('a wrong expectation is reported with its line', (t) => {
  const e = t.throws(() =>
    runDrill('0 listen 80\n0 < S 0:0(0) win 100\n+0 > S. 0:0(0) ack 2 win 1'),
  );
  t.regex(e!.message, /^line 3: expected S\. 0:0\(0\) ack 2/);
  const e2 = t.throws(() => runDrill('0 listen 80\n0 < S 0:0(0) win 100\n+1 listen 81'));
  t.regex(e2!.message, /unexpected segment/);
});
