/**
 * Evidence beyond the 20 items kept per kind is still counted, and weighs as
 * the kept items of its kind do: more gaps in a capture stay inconclusive,
 * more drops stay failures.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import test from 'ava';
import { TcpFlag } from '../../stack/wire/tcp-types.ts';
import { analyzeCapture } from './analyze.ts';
import { Craft, pattern } from './testing/craft.ts';

const dir = mkdtempSync(join(tmpdir(), 'hlv7-limit-'));
test.after.always(() => rmSync(dir, { recursive: true, force: true }));

/** A mid-stream capture (no handshake) that missed every other data segment of the client. */
function lossyCapture(segments: number): Craft {
  const c = new Craft();
  for (let i = 0; i < segments; i++) {
    c.send('c', { flags: TcpFlag.ACK | TcpFlag.PSH, payload: pattern(100, i * 100) });
    if (i % 2 === 1) c.records.splice(c.records.length - 1, 1); // the capture missed it
    c.send('s', { window: 512 });
  }
  return c;
}

test('more than 20 ACKs of bytes the capture missed stay inconclusive, not a failure', async (t) => {
  const file = join(dir, 'lossy.pcap');
  writeFileSync(file, lossyCapture(60).pcap());
  const report = await analyzeCapture(file, { windows: [] });
  const conn = report.connections[0]!;
  t.true((conn.evidenceCounts['ack-unseen'] ?? 0) > 20, JSON.stringify(conn.evidenceCounts));
  t.is(conn.evidence.filter((e) => e.kind === 'ack-unseen').length, 20);
  t.is(conn.verdict, 'inconclusive', conn.reasons.join('\n'));
  t.true(conn.reasons.some((r) => /more ack-unseen items not listed/.test(r)));
  t.is(report.verdict, 'inconclusive');
});

test('more than 20 ACKs of data never sent fail, with the rest counted', async (t) => {
  const c = new Craft();
  c.handshake();
  c.stream('c', 1000);
  for (let i = 0; i < 25; i++)
    c.send('s', { ack: (c.nxt('c') + 1000 * (i + 1)) >>> 0, window: 512 });
  const file = join(dir, 'unsent.pcap');
  writeFileSync(file, c.pcap());
  const report = await analyzeCapture(file, { windows: [] });
  const conn = report.connections[0]!;
  t.is(conn.evidenceCounts['ack-unsent'], 25);
  t.is(conn.verdict, 'fail');
  t.true(conn.reasons.includes('5 more ack-unsent items not listed'), conn.reasons.join('\n'));
});
