import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import test from 'ava';
import { TcpFlag } from '../../stack/wire/tcp-types.ts';
import { type AnalyzeOptions, analyzeCapture, type CaptureReport } from './analyze.ts';
import { Craft, pattern } from './testing/craft.ts';
import { ourCounts, tsharkCounts } from './testing/tshark.ts';

const dir = mkdtempSync(join(tmpdir(), 'hlv7-crafted-'));
test.after.always(() => rmSync(dir, { recursive: true, force: true }));

let n = 0;
async function analyze(
  craft: Craft,
  opts: Partial<AnalyzeOptions> = {},
): Promise<{ report: CaptureReport; file: string }> {
  const file = join(dir, `c${n++}.pcap`);
  writeFileSync(file, craft.pcap());
  return { report: await analyzeCapture(file, { windows: [], ...opts }), file };
}

function kinds(report: CaptureReport, severity = 'drop'): string[] {
  return report.connections.flatMap((c) =>
    c.evidence.filter((e) => e.severity === severity).map((e) => e.kind),
  );
}

test('a clean crafted stream passes, and its counts agree with tshark', async (t) => {
  const c = new Craft();
  c.handshake();
  c.stream('c', 20000);
  c.stream('s', 5000);
  c.close();
  const { report, file } = await analyze(c);
  t.is(report.verdict, 'pass', report.reasons.join('\n'));
  t.deepEqual(kinds(report), []);
  t.is(report.connections[0]!.clientToServer.payloadBytes, 20000);
  t.is(report.connections[0]!.serverToClient.payloadBytes, 5000);
  t.true(report.connections[0]!.handshakeSeen);
  t.deepEqual(ourCounts(report.totals), tsharkCounts(file));
});

test('a retransmission carrying different bytes fails as payload divergence', async (t) => {
  const c = new Craft();
  c.handshake();
  const seq = c.nxt('c');
  const first = c.send('c', { flags: TcpFlag.ACK | TcpFlag.PSH, payload: pattern(1000) });
  c.send('s', { ack: seq, window: 512 }); // nothing acknowledged yet
  const changed = pattern(1000);
  changed[700] = (changed[700]! + 1) % 256;
  const resent = c.send('c', {
    seq,
    flags: TcpFlag.ACK | TcpFlag.PSH,
    payload: changed,
    afterMs: 200,
  });
  c.send('s', { ack: (seq + 1000) >>> 0, window: 512 });
  const { report, file } = await analyze(c);
  t.is(report.verdict, 'fail');
  const e = report.connections[0]!.evidence.find((x) => x.kind === 'divergence')!;
  t.is(e.frame, resent);
  t.deepEqual(e.relatedFrames, [first]);
  t.regex(e.detail, new RegExp(`seq ${(seq + 700) >>> 0}\\b`));
  t.is(report.totals.retransmissions, 1);
  t.is(report.totals.timeoutRetransmissions, 1);
  t.deepEqual(ourCounts(report.totals), tsharkCounts(file));
});

test('a retransmission of the same bytes is fine', async (t) => {
  const c = new Craft();
  c.handshake();
  const seq = c.nxt('c');
  c.send('c', { flags: TcpFlag.ACK | TcpFlag.PSH, payload: pattern(3000) });
  c.send('s', { ack: seq, window: 512 });
  // Overlapping resend: part old, part new, identical where it overlaps.
  c.send('c', {
    seq: (seq + 1000) >>> 0,
    flags: TcpFlag.ACK,
    payload: pattern(3000, 1000),
    afterMs: 200,
  });
  c.send('s', { window: 512 });
  const { report, file } = await analyze(c);
  t.is(report.verdict, 'pass', report.reasons.join('\n'));
  t.is(report.totals.retransmissions, 1);
  t.deepEqual(ourCounts(report.totals), tsharkCounts(file));
});

test('a gap never filled and never acknowledged past fails as a byte hole', async (t) => {
  const c = new Craft();
  c.handshake();
  c.stream('c', 2000);
  const holeAt = c.nxt('c');
  const after = c.send('c', {
    seq: (holeAt + 1000) >>> 0,
    flags: TcpFlag.ACK,
    payload: pattern(1000, 3000),
  });
  c.send('s', { ack: holeAt, window: 512 });
  c.send('c', { seq: (holeAt + 2000) >>> 0, flags: TcpFlag.ACK, payload: pattern(1000, 4000) });
  c.send('s', { ack: holeAt, window: 512 });
  c.send('s', { ack: holeAt, window: 512, afterMs: 2000 });
  const { report } = await analyze(c);
  t.is(report.verdict, 'fail');
  const hole = report.connections[0]!.evidence.find((e) => e.kind === 'hole')!;
  t.is(hole.severity, 'drop');
  t.is(hole.frame, after);
  t.regex(hole.detail, new RegExp(`1000 bytes at seq ${holeAt}\\.\\.${(holeAt + 1000) >>> 0}`));
});

test('a gap filled later by a retransmission passes', async (t) => {
  const c = new Craft();
  c.handshake();
  const holeAt = c.nxt('c');
  c.send('c', { seq: (holeAt + 1000) >>> 0, flags: TcpFlag.ACK, payload: pattern(1000, 1000) });
  c.send('s', { ack: holeAt, window: 512 });
  c.send('c', { seq: holeAt, flags: TcpFlag.ACK, payload: pattern(1000), afterMs: 300 });
  c.send('s', { ack: (holeAt + 2000) >>> 0, window: 512 });
  c.send('s', { window: 512, afterMs: 2000 });
  const { report } = await analyze(c);
  t.is(report.verdict, 'pass', report.reasons.join('\n'));
});

test('an ACK for data never sent fails', async (t) => {
  const c = new Craft();
  c.handshake();
  c.stream('c', 3000);
  const bad = c.send('s', { ack: (c.nxt('c') + 5000) >>> 0, window: 512 });
  const { report } = await analyze(c);
  t.is(report.verdict, 'fail');
  const e = report.connections[0]!.evidence.find((x) => x.kind === 'ack-unsent')!;
  t.is(e.frame, bad);
  t.is(e.from, '198.18.7.1:5000');
  t.regex(e.detail, /5000 bytes beyond/);
});

test('data past the advertised receive window fails', async (t) => {
  const c = new Craft();
  c.handshake();
  // The SYN-ACK offered 65535 bytes (unscaled in a SYN); the client sends 465 bytes beyond.
  const bad = c.send('c', {
    seq: (c.nxt('c') + 65000) >>> 0,
    flags: TcpFlag.ACK,
    payload: pattern(1000),
  });
  const { report } = await analyze(c);
  t.is(report.verdict, 'fail');
  const e = report.connections[0]!.evidence.find((x) => x.kind === 'out-of-window')!;
  t.is(e.frame, bad);
  t.regex(e.detail, /465 bytes past/);
});

for (const [name, isn] of [
  ['client', 2 ** 32 - 2500],
  ['server', 2 ** 32 - 1],
] as const) {
  test(`a stream crossing 2^32 (${name} side) passes, and a divergence past the wrap is caught`, async (t) => {
    const c = new Craft(name === 'client' ? { clientIsn: isn } : { serverIsn: isn });
    const side = name === 'client' ? 'c' : 's';
    c.handshake();
    c.stream(side, 10000);
    const clean = await analyze(c);
    t.is(clean.report.verdict, 'pass', clean.report.reasons.join('\n'));
    t.deepEqual(ourCounts(clean.report.totals), tsharkCounts(clean.file));
    // Resend bytes 4000..5000 of the stream (past the wrap) with one byte changed.
    const seq = (isn + 1 + 4000) >>> 0;
    const bytes = pattern(1000, 4000);
    bytes[10] = (bytes[10]! + 7) % 256;
    c.send(side, { seq, payload: bytes });
    const { report } = await analyze(c);
    t.deepEqual(kinds(report), []);
    // Already acknowledged bytes are not kept, so compare an unacknowledged resend instead.
    const d = new Craft(name === 'client' ? { clientIsn: isn } : { serverIsn: isn });
    d.handshake();
    const start = d.nxt(side);
    d.send(side, { payload: pattern(5000) });
    d.send(side, {
      seq: (start + 3000) >>> 0,
      payload: pattern(1000, 3000).map((b, i) => (i === 0 ? b ^ 1 : b)),
      afterMs: 300,
    });
    const div = await analyze(d);
    const e = div.report.connections[0]!.evidence.find((x) => x.kind === 'divergence');
    t.truthy(e);
    t.regex(e!.detail, new RegExp(`seq ${(start + 3000) >>> 0}\\b`));
  });
}

test('RST fails; FIN fails only inside the test window', async (t) => {
  const c = new Craft();
  c.handshake();
  c.stream('c', 2000);
  const rst = c.send('s', { flags: TcpFlag.RST | TcpFlag.ACK });
  const { report, file } = await analyze(c);
  t.is(report.verdict, 'fail');
  const e = report.connections[0]!.evidence.find((x) => x.kind === 'rst')!;
  t.is(e.frame, rst);
  t.deepEqual(ourCounts(report.totals), tsharkCounts(file));

  const f = new Craft();
  f.handshake();
  f.stream('c', 2000);
  f.close();
  t.is((await analyze(f)).report.verdict, 'pass');
  const inside = await analyze(f, { testEndMs: f.timeMs + 1000 });
  t.is(inside.report.verdict, 'fail');
  t.deepEqual(kinds(inside.report), ['fin', 'fin']);
});

test('a new SYN on the tuple of an established connection is a reconnect', async (t) => {
  const c = new Craft({ clientIsn: 100 });
  c.handshake();
  c.stream('c', 2000);
  const syn = c.send('c', { seq: 900000, flags: TcpFlag.SYN, afterMs: 500 });
  const { report } = await analyze(c);
  t.is(report.connections.length, 2);
  t.is(report.verdict, 'fail');
  const e = report.connections[1]!.evidence.find((x) => x.kind === 'reconnect')!;
  t.is(e.frame, syn);
});

test('zero-window periods are measured and counted as tshark counts them', async (t) => {
  const c = new Craft();
  c.handshake();
  c.stream('c', 3000);
  const from = c.send('s', { window: 0 });
  c.send('c', { seq: (c.nxt('c') - 1) >>> 0, afterMs: 200 }); // probe (keep-alive form)
  c.send('s', { window: 0 });
  // One-byte probes at the window's edge (other stacks' form), then the byte for real.
  const edge = c.nxt('c');
  c.send('c', { seq: edge, payload: pattern(1), afterMs: 50 });
  c.send('s', { ack: edge, window: 0 });
  c.send('c', { seq: edge, payload: pattern(1), afterMs: 100 });
  c.send('s', { ack: edge, window: 0 });
  const to = c.send('s', { ack: edge, window: 512, afterMs: 150 });
  c.send('c', { seq: edge, payload: pattern(1) });
  c.send('s', { ack: (edge + 1) >>> 0, window: 512 });
  c.stream('c', 1000);
  const { report, file } = await analyze(c);
  t.is(report.verdict, 'pass', report.reasons.join('\n'));
  const e = report.connections[0]!.evidence.find((x) => x.kind === 'zero-window')!;
  t.is(e.frame, from);
  t.deepEqual(e.relatedFrames, [to]);
  t.is(Math.round(e.durationMs!), 503);
  t.is(report.totals.zeroWindows, 4);
  t.is(report.totals.keepAlives, 1);
  t.is(report.totals.zeroWindowProbes, 2);
  t.is(report.totals.retransmissions, 0);
  t.deepEqual(ourCounts(report.totals), tsharkCounts(file));
});

test('stalls are measured overall and per fault window', async (t) => {
  const c = new Craft();
  c.handshake();
  c.stream('c', 2000);
  const t0 = c.timeMs;
  c.send('c', { flags: TcpFlag.ACK, payload: pattern(100), afterMs: 750 });
  c.send('s', {});
  c.send('c', { flags: TcpFlag.ACK, payload: pattern(100), afterMs: 1500 });
  c.send('s', {});
  const windows = [
    { kind: 'first', startMs: t0 + 100, endMs: t0 + 200 },
    { kind: 'second', startMs: t0 + 1000, endMs: t0 + 1100 },
  ];
  const { report } = await analyze(c, { windows, maxStallMs: 1000 });
  t.is(report.connections[0]!.longestStall!.durationMs, 1500);
  t.is(report.windows[0]!.longestStall!.durationMs, 750);
  t.is(report.windows[0]!.verdict, 'pass');
  t.is(report.windows[1]!.longestStall!.durationMs, 1500);
  t.is(report.windows[1]!.verdict, 'fail');
  t.is(report.verdict, 'fail');
});

test('a capture without TCP is inconclusive: no traffic seen', async (t) => {
  const file = join(dir, 'none.pcap');
  writeFileSync(file, new Craft().pcap());
  const report = await analyzeCapture(file, { windows: [] });
  t.is(report.verdict, 'inconclusive');
  t.regex(report.reasons[0]!, /no traffic seen/);
});

test('kernel drops from a tcpdump .stats sidecar or --drops make a clean capture inconclusive', async (t) => {
  const c = new Craft();
  c.handshake();
  c.stream('c', 2000);
  const { file } = await analyze(c);
  writeFileSync(
    `${file}.stats`,
    '10 packets captured\n12 packets received by filter\n2 packets dropped by kernel\n',
  );
  const report = await analyzeCapture(file, { windows: [] });
  t.is(report.verdict, 'inconclusive');
  t.is(report.droppedByCapture, 2);
  t.true(report.reasons.some((r) => /dropped 2 packets/.test(r)));
  t.is((await analyzeCapture(file, { windows: [], drops: 0 })).verdict, 'pass');
});

test('a truncated capture is inconclusive with the frame and offset, unless it already shows a drop', async (t) => {
  const c = new Craft();
  c.handshake();
  c.stream('c', 3000);
  const whole = c.pcap();
  const file = join(dir, 'truncated.pcap');
  writeFileSync(file, whole.subarray(0, whole.length - 20));
  const report = await analyzeCapture(file, { windows: [] });
  t.is(report.verdict, 'inconclusive');
  t.true(
    report.reasons.some((r) => /file truncated in frame 9 at byte offset \d+/.test(r)),
    report.reasons.join('\n'),
  );
  c.send('s', { flags: TcpFlag.RST | TcpFlag.ACK });
  c.stream('c', 1000);
  const withRst = c.pcap();
  writeFileSync(file, withRst.subarray(0, withRst.length - 20));
  t.is((await analyzeCapture(file, { windows: [] })).verdict, 'fail');
});

test('a SYN nobody answers fails; a capture of one direction only is inconclusive', async (t) => {
  const c = new Craft();
  c.send('c', { flags: TcpFlag.SYN });
  c.send('c', { seq: 1000, flags: TcpFlag.SYN, afterMs: 1000 });
  const { report, file } = await analyze(c);
  t.is(report.verdict, 'fail');
  t.deepEqual(kinds(report), ['syn-unanswered']);
  t.deepEqual(ourCounts(report.totals), tsharkCounts(file));

  const d = new Craft();
  d.send('c', { flags: TcpFlag.ACK, payload: pattern(500) });
  d.send('c', { flags: TcpFlag.ACK, payload: pattern(500, 500) });
  const oneWay = await analyze(d);
  t.is(oneWay.report.verdict, 'inconclusive');
  t.deepEqual(kinds(oneWay.report, 'incomplete'), ['one-way']);
});
