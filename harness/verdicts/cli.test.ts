import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import test from 'ava';
import { TcpFlag } from '../../stack/wire/tcp-types.ts';
import { Craft } from './testing/craft.ts';

const dir = mkdtempSync(join(tmpdir(), 'hlv7-cli-'));
test.after.always(() => rmSync(dir, { recursive: true, force: true }));
const cli = join(import.meta.dirname, '../cli/hitless.mjs');

function hitless(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [cli, 'analyze', ...args], (err, stdout, stderr) => {
      resolve({ code: err ? (typeof err.code === 'number' ? err.code : -1) : 0, stdout, stderr });
    });
  });
}

function clean(): Craft {
  const c = new Craft();
  c.handshake();
  c.stream('c', 5000);
  return c;
}

const cleanFile = join(dir, 'clean.pcap');
const rstFile = join(dir, 'rst.pcap');
test.before(() => {
  writeFileSync(cleanFile, clean().pcap());
  const r = clean();
  r.send('s', { flags: TcpFlag.RST | TcpFlag.ACK });
  writeFileSync(rstFile, r.pcap());
});

test('a clean capture exits 0 with a table', async (t) => {
  const r = await hitless(cleanFile);
  t.is(r.code, 0, r.stderr);
  t.regex(r.stdout, /198\.18\.7\.2:40000\s+198\.18\.7\.1:5000\s+pass\s+5000\s+0/);
  t.regex(r.stdout, /verdict: PASS/);
});

test('a drop exits 1; --json carries the evidence with frame numbers', async (t) => {
  const r = await hitless(rstFile, cleanFile, '--json');
  t.is(r.code, 1);
  const report = JSON.parse(r.stdout);
  t.is(report.verdict, 'fail');
  t.is(report.captures[0].verdict, 'fail');
  t.is(report.captures[1].verdict, 'pass');
  const rst = report.captures[0].connections[0].evidence.find(
    (e: { kind: string }) => e.kind === 'rst',
  );
  t.is(rst.frame, 14);
  t.regex(r.stderr, /DUT_FAILURE/);
});

test('--address ignores other hosts: nothing left to judge is inconclusive (exit 2)', async (t) => {
  const r = await hitless(rstFile, '--address', '198.18.9.9');
  t.is(r.code, 2);
  t.regex(r.stdout, /no traffic seen: no TCP connection with the chassis address/);
  t.regex(r.stderr, /INCONCLUSIVE/);
  t.is((await hitless(cleanFile, '--address', '198.18.7.1')).code, 0);
});

test('unusable input exits 2 with the reason: empty, not a capture, bad options, bad timeline', async (t) => {
  const empty = join(dir, 'empty.pcap');
  writeFileSync(empty, '');
  const r1 = await hitless(empty);
  t.is(r1.code, 2);
  t.regex(r1.stdout, /CAPTURE_EMPTY|empty \(0 bytes\)/);
  const text = join(dir, 'text.pcap');
  writeFileSync(text, 'not a capture at all');
  t.regex((await hitless(text)).stdout, /not a pcap or pcapng file/);
  const r3 = await hitless(cleanFile, '--max-stall', 'soon');
  t.is(r3.code, 2);
  t.regex(r3.stderr, /BAD_OPTION: --max-stall: "soon"/);
  const bad = join(dir, 'faults.json');
  writeFileSync(
    bad,
    JSON.stringify([{ kind: 'power-off', start: '2026-11-27T04:00:01Z', end: 'later' }]),
  );
  const r4 = await hitless(cleanFile, '--faults', bad);
  t.is(r4.code, 2);
  t.regex(r4.stderr, /FAULTS_INVALID: .*faults\.json: \[0\]\.end: expected an ISO 8601 time/);
});

test('fault windows from a timeline (ISO and epoch ms) get their own verdicts', async (t) => {
  const c = clean();
  const start = c.timeMs;
  c.send('c', { flags: TcpFlag.ACK | TcpFlag.PSH, payload: new Uint8Array(10), afterMs: 2500 });
  c.send('s', {});
  const file = join(dir, 'stall.pcap');
  writeFileSync(file, c.pcap());
  const timeline = join(dir, 'timeline.json');
  writeFileSync(
    timeline,
    JSON.stringify([
      { kind: 'switchover', start: new Date(start + 100).toISOString(), end: start + 200 },
      { kind: 'later', start: start + 10000, end: start + 11000 },
    ]),
  );
  const r = await hitless(file, '--faults', timeline, '--max-stall', '2000');
  t.is(r.code, 1);
  t.regex(r.stdout, /switchover\s+\S+\s+\S+\s+fail\s+1\s+2500\.0 ms/);
  t.regex(r.stdout, /later .*inconclusive/);
  t.regex(r.stdout, /stall longer than 2000 ms: 2500\.0 ms between frames 13 and 14/);
  t.is((await hitless(file, '--faults', timeline, '--max-stall', '3000', '--json')).code, 2);
});
