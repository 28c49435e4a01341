import { execFileSync } from 'node:child_process';
import test from 'ava';
import { analyzeCapture, type CaptureReport } from './analyze.ts';
import { CaptureLab } from './testing/capture-lab.ts';
import { ourCounts, tsharkCounts } from './testing/tshark.ts';

const isRoot = process.getuid?.() === 0;
const runNet = isRoot || process.env.CI === 'true';
const lab = new CaptureLab('a');

if (runNet) {
  test.before(() => {
    if (!isRoot) throw new Error('network namespace tests need root (CI=true)');
    lab.setup();
  });
  test.after.always(() => lab.destroy());
}

const netTest = runNet ? test.serial : test.skip;
if (!runNet) console.log('analyze.net.test.ts: skipped, needs root for network namespaces');

/** Every connection's evidence of a drop, in order. */
function drops(r: CaptureReport): CaptureReport['connections'][number]['evidence'] {
  return r.connections.flatMap((c) => c.evidence.filter((e) => e.severity === 'drop'));
}

/** The verdict's reasons with the evidence behind them, for a failure message. */
function why(r: CaptureReport): string {
  const evidence = drops(r).map((e) => `${e.kind} at frame ${e.frame} from ${e.from}: ${e.detail}`);
  return [...r.reasons, ...evidence, `frames the capture dropped: ${r.droppedByCapture}`].join(
    '\n',
  );
}

function dropKinds(r: CaptureReport): string[] {
  return drops(r).map((e) => e.kind);
}

netTest('a clean kernel TCP transfer passes, counts agree with tshark', async (t) => {
  const { file } = await lab.capture({ bytes: 2_000_000 }, { name: 'clean' });
  const report = await analyzeCapture(file, { windows: [] });
  t.is(report.verdict, 'pass', why(report));
  t.is(report.droppedByCapture, 0);
  t.is(report.connections.length, 1);
  t.is(report.connections[0]!.streamBytes.clientToServer, 2_000_000);
  t.true(report.connections[0]!.handshakeSeen);
  t.deepEqual(ourCounts(report.totals), tsharkCounts(file));
});

netTest('a RST mid-stream fails with RST evidence', async (t) => {
  const { file } = await lab.capture({ bytes: 300_000, reset: true }, { name: 'rst' });
  const report = await analyzeCapture(file, { windows: [] });
  t.is(report.verdict, 'fail');
  const rst = report.connections[0]!.evidence.find((e) => e.kind === 'rst');
  t.truthy(rst);
  t.is(rst!.from, report.connections[0]!.client);
  t.true(rst!.frame > 3);
  t.deepEqual(ourCounts(report.totals), tsharkCounts(file));
});

netTest('close and reconnect fails as a reconnect', async (t) => {
  const { file } = await lab.capture({ bytes: 100_000, reconnect: true }, { name: 'reconnect' });
  const report = await analyzeCapture(file, { windows: [] });
  t.is(report.verdict, 'fail');
  t.is(report.connections.length, 2);
  t.deepEqual(dropKinds(report), ['reconnect']);
  const e = report.connections[1]!.evidence.find((x) => x.kind === 'reconnect')!;
  t.is(e.frame, report.connections[1]!.firstFrame);
  t.deepEqual(ourCounts(report.totals), tsharkCounts(file));
});

netTest(
  'a 3 s pause of the sender is measured as a stall within 10 ms (nanosecond capture)',
  async (t) => {
    const { file, timing } = await lab.capture(
      { bytes: 100_000, pauseMs: 3000 },
      { name: 'pause', nano: true },
    );
    const report = await analyzeCapture(file, { windows: [] });
    t.is(report.info?.precision, 'ns');
    t.is(report.verdict, 'pass', why(report));
    const pause = timing.pauseTo! - timing.pauseFrom!;
    const stall = report.connections[0]!.longestStall!;
    t.true(
      Math.abs(stall.durationMs - pause) < 10,
      `stall ${stall.durationMs} ms, pause ${pause} ms`,
    );
    const windows = [{ kind: 'pause', startMs: timing.pauseFrom!, endMs: timing.pauseTo! }];
    const limited = await analyzeCapture(file, { windows, maxStallMs: 1000 });
    t.is(limited.verdict, 'fail');
    t.is(limited.windows[0]!.verdict, 'fail');
    t.true(Math.abs(limited.windows[0]!.longestStall!.durationMs - pause) < 10);
    t.deepEqual(ourCounts(report.totals), tsharkCounts(file));
  },
);

netTest(
  '5% nftables loss shows retransmissions and still passes; pcapng reads the same',
  async (t) => {
    lab.addServerLoss(5);
    const { file } = await lab.capture({ bytes: 3_000_000 }, { name: 'loss' });
    const report = await analyzeCapture(file, { windows: [] });
    t.is(report.verdict, 'pass', why(report));
    const c = report.connections[0]!.clientToServer;
    t.true(c.retransmissions > 0, JSON.stringify(report.connections[0], null, 1).slice(0, 3000));
    t.is(
      c.retransmissions,
      c.fastRetransmissions + c.timeoutRetransmissions + c.spuriousRetransmissions,
    );
    t.is(report.connections[0]!.streamBytes.clientToServer, 3_000_000);
    t.deepEqual(ourCounts(report.totals), tsharkCounts(file));
    const ng = `${file}ng`;
    execFileSync('editcap', ['-F', 'pcapng', file, ng]);
    const fromNg = await analyzeCapture(ng, { windows: [], drops: 0 });
    t.is(fromNg.info?.format, 'pcapng');
    t.deepEqual(fromNg.totals, report.totals);
    t.is(fromNg.verdict, 'pass');
  },
);
