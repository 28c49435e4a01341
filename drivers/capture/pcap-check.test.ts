import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import test from 'ava';
import { CaptureError } from './capture.ts';
import { checkPcap } from './pcap-check.ts';

function header(magic = 0xa1b2c3d4): Buffer {
  const b = Buffer.alloc(24);
  b.writeUInt32LE(magic, 0);
  b.writeUInt16LE(2, 4);
  b.writeUInt16LE(4, 6);
  b.writeUInt32LE(65535, 16);
  b.writeUInt32LE(1, 20);
  return b;
}
function record(len: number): Buffer {
  const h = Buffer.alloc(16);
  h.writeUInt32LE(1, 0);
  h.writeUInt32LE(len, 8);
  h.writeUInt32LE(len, 12);
  return Buffer.concat([h, Buffer.alloc(len, 0xab)]);
}

const dir = mkdtempSync(join(tmpdir(), 'hlpcap-'));
test.after.always(() => rmSync(dir, { recursive: true, force: true }));
const file = (name: string, data: Buffer) => {
  const p = join(dir, name);
  writeFileSync(p, data);
  return p;
};

test('a classic pcap is counted', async (t) => {
  const s = await checkPcap(file('ok.pcap', Buffer.concat([header(), record(60), record(70)])));
  t.is(s.packets, 2);
  t.is(s.linkType, 1);
  t.is(s.snaplen, 65535);
  t.false(s.nanosecond);
});

test('empty, pcapng and garbage files are refused', async (t) => {
  const e1 = await t.throwsAsync(checkPcap(file('empty.pcap', Buffer.alloc(0))), {
    instanceOf: CaptureError,
  });
  t.regex(e1!.message, /shorter than a pcap header/);
  const ng = Buffer.alloc(28);
  ng.writeUInt32BE(0x0a0d0d0a, 0);
  const e2 = await t.throwsAsync(checkPcap(file('x.pcapng', ng)), { instanceOf: CaptureError });
  t.regex(e2!.message, /pcapng/);
  const e3 = await t.throwsAsync(checkPcap(file('junk.pcap', Buffer.alloc(40, 7))), {
    instanceOf: CaptureError,
  });
  t.regex(e3!.message, /not a classic pcap/);
});
