/**
 * Small and reopened peer windows (packetdrill-style, as a Linux receiver whose application
 * reads paced produces them): the sender's SWS-avoidance override must fire one RTO after the
 * window became too small to send into, even while the peer keeps sending data.
 */
import test from 'ava';
import { runDrill } from './sim/drill.ts';

const TS = { timestamps: true, sack: true };

const HANDSHAKE = `
0     listen 80
0     < S 0:0(0) win 64240 <mss 1460,sackOK,TS val 1000 ecr 0,nop,wscale 7>
+0    > S. 0:0(0) ack 1 win 65535 <mss 1460,sackOK,TS val * ecr 1000,wscale 7>
+.01  < . 1:1(0) ack 1 win 502 <nop,nop,TS val 1010 ecr *>
+0    event accepted
+0    state ESTABLISHED
`;

test('a sub-MSS peer window is filled one RTO later although the peer keeps sending data', (t) => {
  t.notThrows(() =>
    runDrill(
      `${HANDSHAKE}
// Two segments out, both acknowledged; the peer's window is left at 1024 bytes (8 << 7).
+0    send 2896
+0    > . 1:1449(1448) ack 1 win 2048 <TS val * ecr 1010>
+0    > P. 1449:2897(1448) ack 1 win 2048 <TS val * ecr 1010>
+.01  < . 1:1(0) ack 2897 win 8 <nop,nop,TS val 1020 ecr *>
// 3000 more bytes: 1024 is neither a full segment nor half the peer's largest window.
+0    send 3000
// The peer keeps sending (same 1024-byte window on every segment): our delayed ACKs answer.
+.05  < P. 1:101(100) ack 2897 win 8 <nop,nop,TS val 1070 ecr *>
+0    consume 100
+.04  > . 2897:2897(0) ack 101 win 2048 <TS val * ecr 1070>
+.01  < P. 101:201(100) ack 2897 win 8 <nop,nop,TS val 1120 ecr *>
+0    consume 100
+.04  > . 2897:2897(0) ack 201 win 2048 <TS val * ecr 1120>
+.01  < P. 201:301(100) ack 2897 win 8 <nop,nop,TS val 1170 ecr *>
+0    consume 100
+.04  > . 2897:2897(0) ack 301 win 2048 <TS val * ecr 1170>
// 200 ms (the RTO) after the window became too small: send what fits (RFC 1122 4.2.3.4).
+.01  > P. 2897:3921(1024) ack 301 win 2048 <TS val * ecr 1170>
+.01  < . 301:301(0) ack 3921 win 0 <nop,nop,TS val 1230 ecr *>
// Now a zero window: persist probes at SND.UNA-1 from one RTO on.
+.2   > . 3920:3920(0) ack 301 win 2048 <TS val * ecr 1230>
// The application reads: the window update (same SEQ, same ACK, no data) is taken at once.
+.01  < . 301:301(0) ack 3921 win 501 <nop,nop,TS val 1450 ecr *>
+0    > . 3921:5369(1448) ack 301 win 2048 <TS val * ecr 1450>
// (Nagle holds the 528-byte tail until that segment is acknowledged.)
+.01  < . 301:301(0) ack 5369 win 501 <nop,nop,TS val 1460 ecr *>
+0    > P. 5369:5897(528) ack 301 win 2048 <TS val * ecr 1460>
+.01  < . 301:301(0) ack 5897 win 501 <nop,nop,TS val 1470 ecr *>
`,
      TS,
    ),
  );
});

test('our receive window closes and reopens: the update goes out as soon as the application reads', (t) => {
  t.notThrows(() =>
    runDrill(
      `
0     listen 80
0     < S 0:0(0) win 64240 <mss 1460,sackOK,TS val 1000 ecr 0,nop,wscale 7>
+0    > S. 0:0(0) ack 1 win 8192 <mss 1460,sackOK,TS val * ecr 1000,wscale 7>
+.01  < . 1:1(0) ack 1 win 502 <nop,nop,TS val 1010 ecr *>
+0    event accepted
+0    state ESTABLISHED
// The peer fills our 8 KiB buffer; the application reads nothing yet.
+.01  < . 1:1449(1448) ack 1 win 502 <nop,nop,TS val 1020 ecr *>
+0    < . 1449:2897(1448) ack 1 win 502 <nop,nop,TS val 1020 ecr *>
+0    > . 1:1(0) ack 2897 win 42 <TS val * ecr 1020>
+0    < . 2897:4345(1448) ack 1 win 502 <nop,nop,TS val 1020 ecr *>
+0    < . 4345:5793(1448) ack 1 win 502 <nop,nop,TS val 1020 ecr *>
+0    > . 1:1(0) ack 5793 win 20 <TS val * ecr 1020>
+0    < P. 5793:8193(2400) ack 1 win 502 <nop,nop,TS val 1020 ecr *>
// Full: what remains is the rounding of the scaled right edge, which never moves left.
+.04  > . 1:1(0) ack 8193 win 2 <TS val * ecr 1020>
// A probe at SND.UNA-1 (as Linux sends them) is answered at once: still closed.
+.16   < . 8192:8192(0) ack 1 win 502 <nop,nop,TS val 1220 ecr *>
+0    > . 1:1(0) ack 8193 win 2 <TS val * ecr 1020>
// The application reads half the buffer: the reopened window is announced at once.
+.05  consume 4096
+0    > . 1:1(0) ack 8193 win 32 <TS val * ecr 1020>
+.001 < P. 8193:9641(1448) ack 1 win 502 <nop,nop,TS val 1271 ecr *>
`,
      { ...TS, rcvBuf: 8192 },
    ),
  );
});

test('a retransmission that fills a hole updates the window: its ACK is new although its SEQ is older', (t) => {
  // The out-of-order segment moved SND.WL1 past the hole; when the peer resends the hole its
  // ACK advances SND.UNA and its window shrank. RFC 9293's SND.WL1 rule alone would keep the
  // stale, larger window (SEG.SEQ < SND.WL1) and we would overrun the peer (Linux updates
  // on any ACK that advances SND.UNA).
  t.notThrows(() =>
    runDrill(
      `${HANDSHAKE}
+0    send 2896
+0    > . 1:1449(1448) ack 1 win 2048 <TS val * ecr 1010>
+0    > P. 1449:2897(1448) ack 1 win 2048 <TS val * ecr 1010>
// The peer's first data segment is lost; the second arrives: we SACK it at once.
+.01  < P. 1001:2001(1000) ack 1449 win 502 <nop,nop,TS val 1020 ecr *>
+0    > . 2897:2897(0) ack 1 win 2048 <TS val * ecr 1010,sack 1001:2001>
// The hole is resent with a newer ACK and a 1024-byte window (the peer's reader is slow).
+.01  < P. 1:1001(1000) ack 2897 win 8 <nop,nop,TS val 1030 ecr *>
+0    > . 2897:2897(0) ack 2001 win 2033 <TS val * ecr 1030>
// 1024 bytes is under one MSS and under half the peer's largest window: nothing goes out
// until the window reopens.
+0    send 5000
+.05  < . 2001:2001(0) ack 2897 win 501 <nop,nop,TS val 1080 ecr *>
+0    > . 2897:4345(1448) ack 2001 win 2033 <TS val * ecr 1080>
+0    > . 4345:5793(1448) ack 2001 win 2033 <TS val * ecr 1080>
+0    > . 5793:7241(1448) ack 2001 win 2033 <TS val * ecr 1080>
// (Nagle holds the 656-byte tail until that data is acknowledged.)
`,
      TS,
    ),
  );
});
