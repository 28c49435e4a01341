/**
 * pcapng (dumpcap's and Wireshark's default format), streamed block by block.
 * No maintained npm reader exists, and the subset needed is small: section
 * headers (byte order), interface descriptions (link type, timestamp
 * resolution and offset), enhanced/simple/obsolete packet blocks, interface
 * statistics (capture drops). Every other block is skipped by its length.
 */
import { createReadStream } from 'node:fs';
import { CaptureError } from './errors.ts';
import type { CaptureInfo, CaptureProblem, FrameSink } from './frame.ts';

const SHB = 0x0a0d0d0a;
const IDB = 1;
const OBSOLETE_PB = 2;
const SPB = 3;
const ISB = 5;
const EPB = 6;
const BYTE_ORDER_MAGIC = 0x1a2b3c4d;
/** A block larger than this is taken as garbage rather than buffered. */
const MAX_BLOCK = 16 << 20;
/** Fixed part of each block body we read: a shorter block is corrupt, not read past its end. */
const MIN_BODY: Record<number, number> = {
  [SHB]: 16,
  [IDB]: 8,
  [OBSOLETE_PB]: 20,
  [SPB]: 4,
  [ISB]: 12,
  [EPB]: 20,
};

interface Interface {
  linkType: number;
  snapLength: number;
  /** Timestamp units per second (10^6 by default). */
  unitsPerSecond: bigint;
  offsetSeconds: bigint;
  dropped: number;
}

export class PcapngDecoder {
  private buf: Buffer = Buffer.alloc(0);
  /** File offset of buf[0]. */
  private base = 0;
  private le = true;
  private sawSection = false;
  private interfaces: Interface[] = [];
  private lastTime = { ms: 0, sec: 0, ns: 0 };
  frames = 0;
  bytes = 0;
  problem?: CaptureProblem;

  constructor(
    private readonly file: string,
    private readonly sink: FrameSink,
  ) {}

  /** Feeds the next chunk; returns false once the file is found corrupt. */
  push(chunk: Buffer): boolean {
    if (this.problem) return false;
    this.bytes += chunk.length;
    this.buf = this.buf.length === 0 ? chunk : Buffer.concat([this.buf, chunk]);
    let pos = 0;
    while (this.buf.length - pos >= 12 && !this.problem) {
      const used = this.block(pos);
      if (used === 0) break;
      pos += used;
    }
    this.base += pos;
    this.buf = this.buf.subarray(pos);
    return !this.problem;
  }

  finish(): CaptureInfo {
    if (!this.problem && this.buf.length > 0) {
      if (!this.sawSection) {
        throw new CaptureError('CAPTURE_TRUNCATED', `${this.file}: section header cut short`, 0);
      }
      this.fail(
        'CAPTURE_TRUNCATED',
        this.base,
        `block cut short (${this.buf.length} bytes in file)`,
      );
    }
    const precision = this.interfaces[0]?.unitsPerSecond;
    const dropped = this.interfaces.reduce((n, i) => n + i.dropped, 0);
    return {
      file: this.file,
      format: 'pcapng',
      precision: precision === 1000000n ? 'us' : precision === 1000000000n ? 'ns' : 'other',
      frames: this.frames,
      bytes: this.bytes,
      ...(this.problem ? { problem: this.problem } : {}),
      ...(this.interfaces.length > 0 ? { droppedByCapture: dropped } : {}),
    };
  }

  private fail(code: CaptureProblem['code'], offset: number, what: string): void {
    const frame = this.frames + 1;
    const kind = code === 'CAPTURE_TRUNCATED' ? 'file truncated' : 'corrupt block';
    this.problem = {
      code,
      message: `${kind} before frame ${frame} at byte offset ${offset}: ${what}`,
      offset,
      frame,
    };
  }

  private u32(at: number): number {
    return this.le ? this.buf.readUInt32LE(at) : this.buf.readUInt32BE(at);
  }

  private u16(at: number): number {
    return this.le ? this.buf.readUInt16LE(at) : this.buf.readUInt16BE(at);
  }

  /** Decodes the block at pos; returns its length, or 0 when more bytes are needed. */
  private block(pos: number): number {
    const type = this.buf.readUInt32LE(pos);
    if (type === SHB) {
      const magic = this.buf.readUInt32LE(pos + 8);
      if (magic === BYTE_ORDER_MAGIC) this.le = true;
      else if (magic === 0x4d3c2b1a) this.le = false;
      else return this.corrupt(pos, `bad byte-order magic 0x${magic.toString(16)}`);
      this.sawSection = true;
      this.interfaces = [];
    } else if (!this.sawSection) {
      return this.corrupt(pos, 'no section header block');
    }
    const length = this.u32(pos + 4);
    if (length < 12 || length % 4 !== 0 || length > MAX_BLOCK) {
      return this.corrupt(pos, `block length ${length} invalid`);
    }
    if (this.buf.length - pos < length) return 0;
    if (this.u32(pos + length - 4) !== length) {
      return this.corrupt(pos, 'trailing block length does not match');
    }
    const body = pos + 8;
    const bodyEnd = pos + length - 4;
    const blockType = this.le ? type : this.buf.readUInt32BE(pos);
    const min = MIN_BODY[blockType];
    if (min !== undefined && bodyEnd - body < min) {
      return this.corrupt(
        pos,
        `block type ${blockType} of ${length} bytes, its fixed part needs ${min + 12}`,
      );
    }
    switch (blockType) {
      case IDB:
        this.interfaceBlock(body, bodyEnd);
        break;
      case EPB:
      case OBSOLETE_PB:
        this.packetBlock(pos, blockType === EPB, body, bodyEnd);
        break;
      case SPB:
        this.simplePacket(pos, body, bodyEnd);
        break;
      case ISB:
        this.statisticsBlock(body, bodyEnd);
        break;
      default:
        break;
    }
    return this.problem ? 0 : length;
  }

  private corrupt(pos: number, what: string): number {
    this.fail('CAPTURE_CORRUPT', this.base + pos, what);
    return 0;
  }

  private *options(at: number, end: number): Generator<[number, number, number]> {
    while (at + 4 <= end) {
      const code = this.u16(at);
      const len = this.u16(at + 2);
      if (code === 0 || at + 4 + len > end) return;
      yield [code, at + 4, len];
      at += 4 + ((len + 3) & ~3);
    }
  }

  private interfaceBlock(body: number, end: number): void {
    const iface: Interface = {
      linkType: this.u16(body),
      snapLength: this.u32(body + 4),
      unitsPerSecond: 1000000n,
      offsetSeconds: 0n,
      dropped: 0,
    };
    for (const [code, at, len] of this.options(body + 8, end)) {
      if (code === 9 && len >= 1) {
        const v = this.buf[at]!;
        iface.unitsPerSecond = v & 0x80 ? 1n << BigInt(v & 0x7f) : 10n ** BigInt(v);
      } else if (code === 14 && len >= 8) {
        iface.offsetSeconds = this.le ? this.buf.readBigInt64LE(at) : this.buf.readBigInt64BE(at);
      }
    }
    this.interfaces.push(iface);
  }

  private packetBlock(pos: number, enhanced: boolean, body: number, end: number): void {
    const id = enhanced ? this.u32(body) : this.u16(body);
    const iface = this.interfaces[id];
    if (!iface) {
      this.corrupt(pos, `packet on undeclared interface ${id}`);
      return;
    }
    const high = this.u32(body + 4);
    const low = this.u32(body + 8);
    const captured = this.u32(body + 12);
    const original = this.u32(body + 16);
    if (body + 20 + captured > end) {
      this.corrupt(pos, `captured length ${captured} exceeds its block`);
      return;
    }
    const units = (BigInt(high) << 32n) | BigInt(low);
    const sec = Number(units / iface.unitsPerSecond + iface.offsetSeconds);
    const ns = Number(((units % iface.unitsPerSecond) * 1000000000n) / iface.unitsPerSecond);
    this.emit(
      pos,
      iface.linkType,
      { ms: sec * 1000 + ns / 1e6, sec, ns },
      body + 20,
      captured,
      original,
    );
  }

  private simplePacket(pos: number, body: number, end: number): void {
    const iface = this.interfaces[0];
    if (!iface) {
      this.corrupt(pos, 'simple packet before any interface');
      return;
    }
    const original = this.u32(body);
    const room = end - (body + 4);
    const captured = Math.min(original, room, iface.snapLength || room);
    // A simple packet block carries no timestamp: it inherits the previous one.
    this.emit(pos, iface.linkType, this.lastTime, body + 4, captured, original);
  }

  private statisticsBlock(body: number, end: number): void {
    const iface = this.interfaces[this.u32(body)];
    if (!iface) return;
    let dropped = 0;
    for (const [code, at, len] of this.options(body + 12, end)) {
      // isb_ifdrop (4) and isb_osdrop (7): packets lost by the interface or the OS buffer.
      if ((code === 4 || code === 7) && len >= 8) {
        dropped += Number(this.le ? this.buf.readBigUInt64LE(at) : this.buf.readBigUInt64BE(at));
      }
    }
    // Statistics are cumulative: the last block of an interface holds the totals.
    iface.dropped = dropped;
  }

  private emit(
    pos: number,
    linkType: number,
    time: { ms: number; sec: number; ns: number },
    at: number,
    captured: number,
    original: number,
  ): void {
    this.frames += 1;
    this.lastTime = time;
    this.sink({
      number: this.frames,
      offset: this.base + pos,
      timeMs: time.ms,
      timeSec: time.sec,
      timeNs: time.ns,
      linkType,
      data: this.buf.subarray(at, at + captured),
      originalLength: original,
    });
  }
}

export function readPcapng(file: string, sink: FrameSink): Promise<CaptureInfo> {
  return new Promise((resolve, reject) => {
    const decoder = new PcapngDecoder(file, sink);
    const stream = createReadStream(file, { highWaterMark: 1 << 20 });
    let failed = false;
    stream.on('data', (chunk) => {
      try {
        if (!decoder.push(chunk as Buffer)) stream.destroy();
      } catch (err) {
        // A failing consumer ends the read; it must not escape as an uncaught stream error.
        failed = true;
        stream.destroy();
        reject(err);
      }
    });
    const done = () => {
      try {
        resolve(decoder.finish());
      } catch (err) {
        reject(err);
      }
    };
    stream.on('end', done);
    stream.on('close', () => {
      if (decoder.problem && !failed) done();
    });
    stream.on('error', (err) =>
      reject(new CaptureError('CAPTURE_UNREADABLE', `${file}: ${err.message}`)),
    );
  });
}
