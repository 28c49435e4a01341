/**
 * Malformed capture files: whatever the bytes, reading ends in a result (with
 * `problem` when it breaks off) or a CaptureError naming the place, never in
 * another exception, and frame decoding never throws.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import test from 'ava';
import { Prng } from '../../stack/link/prng.ts';
import { encodeTcpFrame, parseIpv4, parseMac } from '../../stack/wire/index.ts';
import { TcpFlag } from '../../stack/wire/tcp-types.ts';
import { decodeTcpPacket } from './decode.ts';
import { CaptureError } from './errors.ts';
import { readCapture } from './reader.ts';
import { encodePcap } from './writer.ts';

const dir = mkdtempSync(join(tmpdir(), 'hlv7-malformed-'));
test.after.always(() => rmSync(dir, { recursive: true, force: true }));

let n = 0;
function write(data: Buffer): string {
  const file = join(dir, `m${n++}`);
  writeFileSync(file, data);
  return file;
}

/** A pcapng block: type, length, body (padded by the caller), trailing length. */
function block(type: number, body: Buffer): Buffer {
  const length = 12 + body.length;
  const b = Buffer.alloc(length);
  b.writeUInt32LE(type, 0);
  b.writeUInt32LE(length, 4);
  body.copy(b, 8);
  b.writeUInt32LE(length, length - 4);
  return b;
}

function sectionHeader(): Buffer {
  const body = Buffer.alloc(16);
  body.writeUInt32LE(0x1a2b3c4d, 0);
  body.writeUInt16LE(1, 4);
  body.writeBigInt64LE(-1n, 8);
  return block(0x0a0d0d0a, body);
}

function interfaceBlock(): Buffer {
  const body = Buffer.alloc(8);
  body.writeUInt16LE(1, 0); // Ethernet
  return block(1, body);
}

function packetBlock(frame: Uint8Array, i: number): Buffer {
  const padded = (frame.length + 3) & ~3;
  const body = Buffer.alloc(20 + padded);
  body.writeUInt32LE(1_800_000_000 + i, 8);
  body.writeUInt32LE(frame.length, 12);
  body.writeUInt32LE(frame.length, 16);
  body.set(frame, 20);
  return block(6, body);
}

function frames(count: number): Uint8Array[] {
  const h = {
    srcMac: parseMac('02:00:00:00:07:02'),
    dstMac: parseMac('02:00:00:00:07:01'),
    src: parseIpv4('198.18.7.2'),
    dst: parseIpv4('198.18.7.1'),
  };
  return Array.from({ length: count }, (_, i) =>
    encodeTcpFrame(h, {
      srcPort: 40000,
      dstPort: 5000,
      seq: 1000 + i * 8,
      ack: 1,
      flags: TcpFlag.ACK,
      window: 100,
      urgent: 0,
      options: { timestamp: { value: i, echo: 0 } },
      payload: new Uint8Array(8).fill(i),
    }),
  );
}

test('pcapng blocks shorter than their fixed part are corrupt at their offset', async (t) => {
  const head = Buffer.concat([sectionHeader(), interfaceBlock()]);
  const cases: Array<[string, Buffer, number]> = [
    ['interface description', Buffer.concat([sectionHeader(), block(1, Buffer.alloc(0))]), 28],
    ['enhanced packet', Buffer.concat([head, block(6, Buffer.alloc(4))]), head.length],
    ['simple packet', Buffer.concat([head, block(3, Buffer.alloc(0))]), head.length],
    ['interface statistics', Buffer.concat([head, block(5, Buffer.alloc(4))]), head.length],
  ];
  for (const [what, bytes, offset] of cases) {
    const info = await readCapture(write(bytes), () => {});
    t.is(info.frames, 0, what);
    t.is(info.problem?.code, 'CAPTURE_CORRUPT', what);
    t.is(info.problem?.offset, offset, what);
    t.regex(info.problem!.message, /its fixed part needs \d+/, what);
  }
});

test('mutated pcap and pcapng files end in a result or a CaptureError, never another error', async (t) => {
  const seed = Number(process.env.FUZZ_SEED ?? 20261127);
  const prng = new Prng(seed);
  const sample = frames(6);
  const bases = [
    encodePcap(sample.map((data, i) => ({ timeMs: 1.8e12 + i, data }))),
    encodePcap(
      sample.map((data, i) => ({ timeMs: 1.8e12 + i, data })),
      { nanosecond: true },
    ),
    Buffer.concat([sectionHeader(), interfaceBlock(), ...sample.map(packetBlock)]),
  ];
  const outcomes = new Map<string, number>();
  for (let i = 0; i < 600; i++) {
    const base = bases[i % bases.length]!;
    const cut = prng.chance(0.3) ? 4 + prng.below(base.length - 4) : base.length;
    const bytes = Buffer.from(base.subarray(0, cut));
    // keep the magic: a wrong one is refused before anything is parsed
    for (let f = 1 + prng.below(6); f > 0; f--)
      bytes[4 + prng.below(bytes.length - 4)] = prng.below(256);
    let outcome: string;
    try {
      const info = await readCapture(write(bytes), (frame) => {
        decodeTcpPacket(frame);
      });
      outcome = info.problem?.code ?? 'ok';
    } catch (err) {
      if (!(err instanceof CaptureError)) {
        t.fail(`seed ${seed}, case ${i}: ${(err as Error).name}: ${(err as Error).message}`);
        return;
      }
      outcome = err.code;
    }
    outcomes.set(outcome, (outcomes.get(outcome) ?? 0) + 1);
  }
  t.log(`seed ${seed}`, Object.fromEntries(outcomes));
  // the mutations reached both the frames and the structure of the files
  for (const expected of ['ok', 'CAPTURE_TRUNCATED', 'CAPTURE_CORRUPT']) {
    t.true((outcomes.get(expected) ?? 0) > 0, `some files ended ${expected}`);
  }
});
