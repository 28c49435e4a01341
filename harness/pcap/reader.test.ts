import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import test from 'ava';
import {
  EtherType,
  encodeEthernet,
  encodeTcpFrame,
  parseIpv4,
  parseMac,
} from '../../stack/wire/index.ts';
import { TcpFlag } from '../../stack/wire/tcp-types.ts';
import { decodeTcpPacket, type TcpPacket } from './decode.ts';
import { CaptureError } from './errors.ts';
import { type CaptureFrame, type CaptureInfo, LinkType } from './frame.ts';
import { readCapture } from './reader.ts';
import { encodePcap, type PcapRecord } from './writer.ts';

const dir = mkdtempSync(join(tmpdir(), 'hlv7-reader-'));
test.after.always(() => rmSync(dir, { recursive: true, force: true }));

const src = parseIpv4('198.18.7.2');
const dst = parseIpv4('198.18.7.1');
const T0 = Date.UTC(2026, 10, 27, 4, 0, 0);

function tcpFrame(i: number): Uint8Array {
  return encodeTcpFrame(
    { srcMac: parseMac('02:00:00:00:07:02'), dstMac: parseMac('02:00:00:00:07:01'), src, dst },
    {
      srcPort: 40000,
      dstPort: 5000,
      seq: 1000 + i * 10,
      ack: 7,
      flags: TcpFlag.ACK,
      window: 100,
      urgent: 0,
      options: {},
      payload: new Uint8Array(10).fill(i),
    },
  );
}

function records(count: number, stepMs: number): PcapRecord[] {
  return Array.from({ length: count }, (_, i) => ({ timeMs: T0 + i * stepMs, data: tcpFrame(i) }));
}

let n = 0;
function write(data: Buffer | Uint8Array, ext = 'pcap'): string {
  const file = join(dir, `f${n++}.${ext}`);
  writeFileSync(file, data);
  return file;
}

async function readAll(
  file: string,
): Promise<{ info: CaptureInfo; frames: CaptureFrame[]; packets: TcpPacket[] }> {
  const frames: CaptureFrame[] = [];
  const packets: TcpPacket[] = [];
  const info = await readCapture(file, (f) => {
    frames.push({ ...f, data: Buffer.from(f.data) });
    const p = decodeTcpPacket(f);
    if ('seg' in p) packets.push(p);
  });
  return { info, frames, packets };
}

test('microsecond pcap: frames, numbers, offsets and times', async (t) => {
  const file = write(encodePcap(records(5, 1.5)));
  const { info, frames, packets } = await readAll(file);
  t.is(info.format, 'pcap');
  t.is(info.precision, 'us');
  t.is(info.frames, 5);
  t.falsy(info.problem);
  t.deepEqual(
    frames.map((f) => f.number),
    [1, 2, 3, 4, 5],
  );
  t.is(frames[0]!.offset, 24);
  t.is(frames[1]!.offset, 24 + 16 + frames[0]!.data.length);
  t.deepEqual(
    frames.map((f) => f.timeMs - T0),
    [0, 1.5, 3, 4.5, 6],
  );
  t.is(packets[3]!.seg.seq, 1030);
  t.is(packets[3]!.seg.payload[0], 3);
  t.is(packets[3]!.src, src);
});

test('nanosecond pcap keeps sub-microsecond times, as tshark reads them', async (t) => {
  const sec = T0 / 1000;
  const recs = records(3, 0).map((r, i) => ({ ...r, exact: { sec, ns: 123 * i + 7 } }));
  const file = write(encodePcap(recs, { nanosecond: true }));
  const { info, frames } = await readAll(file);
  t.is(info.precision, 'ns');
  t.is(info.frames, 3);
  t.deepEqual(
    frames.map((f) => [f.timeSec, f.timeNs]),
    [
      [sec, 7],
      [sec, 130],
      [sec, 253],
    ],
  );
  const theirs = execFileSync('tshark', ['-r', file, '-T', 'fields', '-e', 'frame.time_epoch'], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'ignore'],
  });
  t.deepEqual(
    theirs.trim().split('\n'),
    frames.map((f) => `${f.timeSec}.${String(f.timeNs).padStart(9, '0')}`),
  );
});

for (const nano of [false, true]) {
  test(`pcapng (${nano ? 'nanosecond' : 'microsecond'}, written by editcap) reads the same frames`, async (t) => {
    const pcap = write(encodePcap(records(4, 2.25), { nanosecond: nano }));
    const ng = join(dir, `f${n++}.pcapng`);
    execFileSync('editcap', ['-F', 'pcapng', pcap, ng]);
    const a = await readAll(pcap);
    const b = await readAll(ng);
    t.is(b.info.format, 'pcapng');
    t.is(b.info.precision, nano ? 'ns' : 'us');
    t.is(b.info.frames, 4);
    t.falsy(b.info.problem);
    t.deepEqual(
      b.frames.map((f) => f.data),
      a.frames.map((f) => f.data),
    );
    t.deepEqual(
      b.frames.map((f) => [f.timeSec, f.timeNs]),
      a.frames.map((f) => [f.timeSec, f.timeNs]),
    );
    t.deepEqual(
      b.packets.map((p) => p.seg.seq),
      [1000, 1010, 1020, 1030],
    );
  });
}

test('pcapng truncated inside a block and corrupt block lengths are reported with offset and frame', async (t) => {
  const pcap = write(encodePcap(records(4, 1)));
  const ng = join(dir, `f${n++}.pcapng`);
  execFileSync('editcap', ['-F', 'pcapng', pcap, ng]);
  const whole = readFileSync(ng);
  const cut = write(whole.subarray(0, whole.length - 30), 'pcapng');
  const truncated = await readAll(cut);
  t.is(truncated.info.problem?.code, 'CAPTURE_TRUNCATED');
  t.is(truncated.info.problem?.frame, truncated.frames.length + 1);
  t.regex(truncated.info.problem!.message, /byte offset \d+/);
  // Corrupt the length of the third packet block.
  const bad = Buffer.from(whole);
  const third = truncated.frames[2]!.offset;
  bad.writeUInt32LE(0x7fffff01, third + 4);
  const corrupt = await readAll(write(bad, 'pcapng'));
  t.is(corrupt.info.frames, 2);
  t.is(corrupt.info.problem?.code, 'CAPTURE_CORRUPT');
  t.is(corrupt.info.problem?.offset, third);
  t.is(corrupt.info.problem?.frame, 3);
});

test('truncated pcap: last record cut in its data or its header', async (t) => {
  const whole = encodePcap(records(3, 1));
  const inData = await readAll(write(whole.subarray(0, whole.length - 5)));
  t.is(inData.info.frames, 2);
  t.is(inData.info.problem?.code, 'CAPTURE_TRUNCATED');
  t.is(inData.info.problem?.frame, 3);
  t.is(inData.info.problem?.offset, inData.frames[1]!.offset + 16 + inData.frames[1]!.data.length);
  t.regex(inData.info.problem!.message, /frame 3 at byte offset \d+: frame data cut short/);
  const recordSize = 16 + tcpFrame(0).length;
  const inHeader = await readAll(write(whole.subarray(0, 24 + 2 * recordSize + 7)));
  t.is(inHeader.info.frames, 2);
  t.regex(inHeader.info.problem!.message, /record header cut short \(7 of 16 bytes\)/);
});

test('corrupt pcap record length stops reading there with the frame number', async (t) => {
  const whole = Buffer.from(encodePcap(records(4, 1)));
  const recordSize = 16 + tcpFrame(0).length;
  const at = 24 + 2 * recordSize;
  whole.writeUInt32LE(0x40000000, at + 8);
  const { info, frames } = await readAll(write(whole));
  t.is(frames.length, 2);
  t.is(info.problem?.code, 'CAPTURE_CORRUPT');
  t.is(info.problem?.offset, at);
  t.is(info.problem?.frame, 3);
});

test('empty, short and non-capture files are rejected with a clear error', async (t) => {
  const empty = await t.throwsAsync(
    readCapture(write(Buffer.alloc(0)), () => {}),
    { instanceOf: CaptureError },
  );
  t.is((empty as CaptureError).code, 'CAPTURE_EMPTY');
  t.regex(empty!.message, /empty \(0 bytes\)/);
  const short = await t.throwsAsync(readCapture(write(encodePcap([]).subarray(0, 10)), () => {}));
  t.is((short as CaptureError).code, 'CAPTURE_TRUNCATED');
  const text = await t.throwsAsync(
    readCapture(write(Buffer.from('hello, this is not a capture\n')), () => {}),
  );
  t.is((text as CaptureError).code, 'CAPTURE_NOT_PCAP');
  t.regex(text!.message, /magic 0x68656c6c at byte offset 0/);
  const missing = await t.throwsAsync(readCapture(join(dir, 'nope.pcap'), () => {}));
  t.is((missing as CaptureError).code, 'CAPTURE_UNREADABLE');
  const headerOnly = await readAll(write(encodePcap([])));
  t.is(headerOnly.info.frames, 0);
  t.falsy(headerOnly.info.problem);
});

test('link types: 802.1Q, Linux cooked SLL and SLL2, raw IPv4', async (t) => {
  const eth = tcpFrame(1);
  const ip = eth.subarray(14);
  const vlan = encodeEthernet({
    dst: eth.subarray(0, 6),
    src: eth.subarray(6, 12),
    vlan: { pcp: 0, dei: false, id: 42 },
    etherType: EtherType.IPV4,
    payload: ip,
  });
  const sll = Buffer.concat([Buffer.from([0, 0, 0, 1, 0, 6, 2, 0, 0, 0, 7, 2, 0, 0, 8, 0]), ip]);
  const sll2 = Buffer.alloc(20);
  sll2.writeUInt16BE(EtherType.IPV4, 0);
  sll2.writeUInt32BE(3, 4);
  const cases: Array<[number, Uint8Array]> = [
    [LinkType.ETHERNET, vlan],
    [LinkType.LINUX_SLL, sll],
    [LinkType.LINUX_SLL2, Buffer.concat([sll2, ip])],
    [LinkType.RAW, ip],
  ];
  for (const [linkType, data] of cases) {
    const file = write(encodePcap([{ timeMs: T0, data }], { linkType }));
    const { packets } = await readAll(file);
    t.is(packets.length, 1, `link type ${linkType}`);
    t.is(packets[0]!.seg.seq, 1010);
    t.is(packets[0]!.dst, dst);
    const theirs = execFileSync('tshark', ['-r', file, '-T', 'fields', '-e', 'tcp.seq_raw'], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    });
    t.is(theirs.trim(), '1010', `tshark agrees for link type ${linkType}`);
  }
  const unknown = decodeTcpPacket({
    number: 1,
    offset: 24,
    timeMs: T0,
    timeSec: T0 / 1000,
    timeNs: 0,
    linkType: 147,
    data: Buffer.from(ip),
    originalLength: ip.length,
  });
  t.deepEqual(unknown, { undecodable: 'unsupported link type 147' });
});

test('memory stays flat: a 40 MB capture streams through', async (t) => {
  const frame = tcpFrame(0);
  const count = Math.ceil((40 << 20) / (16 + frame.length));
  const out = Buffer.alloc(24 + count * (16 + frame.length));
  encodePcap([]).copy(out, 0);
  let at = 24;
  for (let i = 0; i < count; i++) {
    out.writeUInt32LE(1795000000 + Math.floor(i / 1000), at);
    out.writeUInt32LE((i % 1000) * 1000, at + 4);
    out.writeUInt32LE(frame.length, at + 8);
    out.writeUInt32LE(frame.length, at + 12);
    out.set(frame, at + 16);
    at += 16 + frame.length;
  }
  const file = write(out);
  let frames = 0;
  let peak = 0;
  const before = process.memoryUsage().rss;
  await readCapture(file, () => {
    frames++;
    if (frames % 50000 === 0) peak = Math.max(peak, process.memoryUsage().rss);
  });
  t.is(frames, count);
  t.true(peak - before < 30 << 20, `rss grew by ${((peak - before) / 1048576).toFixed(1)} MB`);
});

test('an exception in the consumer rejects the read instead of crashing', async (t) => {
  const pcap = write(encodePcap(records(3, 1)));
  const ng = join(dir, `f${n++}.pcapng`);
  execFileSync('editcap', ['-F', 'pcapng', pcap, ng]);
  for (const file of [pcap, ng]) {
    await t.throwsAsync(
      readCapture(file, (f) => {
        if (f.number === 2) throw new Error('consumer broke');
      }),
      { message: 'consumer broke' },
    );
  }
});
