/**
 * Classic libpcap files through pcap-parser, streamed: each frame goes to the
 * sink synchronously while its chunk is parsed, so memory stays at one read
 * chunk whatever the file size. pcap-parser knows only the microsecond magic;
 * a nanosecond file has its magic rewritten in the first chunk and its
 * fraction read as nanoseconds.
 */
import { createReadStream } from 'node:fs';
import pcapParser, { type GlobalHeader, type Packet, type PacketHeader } from 'pcap-parser';
import { CaptureError } from './errors.ts';
import type { CaptureInfo, CaptureProblem, FrameSink } from './frame.ts';

const GLOBAL_HEADER = 24;
const RECORD_HEADER = 16;
/** Larger than any snap length tcpdump or dumpcap writes; beyond it a length is garbage. */
const MAX_FRAME = 262144;
const READ_CHUNK = 1 << 20;

export interface ClassicOptions {
  nanosecond: boolean;
  littleEndian: boolean;
}

export function readClassic(
  file: string,
  opts: ClassicOptions,
  sink: FrameSink,
): Promise<CaptureInfo> {
  return new Promise((resolve, reject) => {
    const stream = createReadStream(file, { highWaterMark: READ_CHUNK });
    let bytesRead = 0;
    // Registered before the parser's own listener, so it sees the chunk first.
    stream.on('data', (chunk) => {
      const buf = chunk as Buffer;
      if (bytesRead === 0 && opts.nanosecond && buf.length >= 4) {
        if (opts.littleEndian) buf.writeUInt32LE(0xa1b2c3d4, 0);
        else buf.writeUInt32BE(0xa1b2c3d4, 0);
      }
      bytesRead += buf.length;
    });
    const parser = pcapParser.parse(stream);
    const fractionScale = opts.nanosecond ? 1e-6 : 1e-3;
    const toNs = opts.nanosecond ? 1 : 1000;
    const fractionLimit = opts.nanosecond ? 1e9 : 1e6;
    let linkType = 0;
    let maxFrame = MAX_FRAME;
    let cursor = GLOBAL_HEADER;
    let frames = 0;
    let settled = false;
    const info = (problem?: CaptureProblem): CaptureInfo => ({
      file,
      format: 'pcap',
      precision: opts.nanosecond ? 'ns' : 'us',
      frames,
      bytes: bytesRead,
      ...(problem ? { problem } : {}),
    });
    const stop = (problem: CaptureProblem) => {
      if (settled) return;
      settled = true;
      parser.errored = true;
      stream.destroy();
      resolve(info(problem));
    };

    parser.on('globalHeader', (h: GlobalHeader) => {
      linkType = h.linkLayerType & 0xffff;
      maxFrame = Math.max(MAX_FRAME, h.snapshotLength);
    });
    parser.on('packetHeader', (h: PacketHeader) => {
      const number = frames + 1;
      if (h.capturedLength > maxFrame || h.timestampMicroseconds >= fractionLimit) {
        const what =
          h.capturedLength > maxFrame
            ? `captured length ${h.capturedLength} exceeds ${maxFrame}`
            : `timestamp fraction ${h.timestampMicroseconds} out of range`;
        stop({
          code: 'CAPTURE_CORRUPT',
          message: `corrupt record header of frame ${number} at byte offset ${cursor}: ${what}`,
          offset: cursor,
          frame: number,
        });
      }
    });
    parser.on('packet', (p: Packet) => {
      if (settled) return;
      frames += 1;
      const h = p.header;
      const frame = {
        number: frames,
        offset: cursor,
        timeMs: h.timestampSeconds * 1000 + h.timestampMicroseconds * fractionScale,
        timeSec: h.timestampSeconds,
        timeNs: h.timestampMicroseconds * toNs,
        linkType,
        data: p.data,
        originalLength: h.originalLength,
      };
      cursor += RECORD_HEADER + h.capturedLength;
      try {
        sink(frame);
      } catch (err) {
        // A failing consumer ends the read; it must not escape as an uncaught stream error.
        settled = true;
        parser.errored = true;
        stream.destroy();
        reject(err);
      }
    });
    parser.on('error', (err: Error) => {
      if (settled) return;
      settled = true;
      stream.destroy();
      reject(new CaptureError('CAPTURE_UNREADABLE', `${file}: ${err.message}`));
    });
    parser.on('end', () => {
      if (settled) return;
      if (bytesRead < GLOBAL_HEADER) {
        settled = true;
        reject(
          new CaptureError(
            'CAPTURE_TRUNCATED',
            `${file}: file header cut short (${bytesRead} of ${GLOBAL_HEADER} bytes)`,
            0,
          ),
        );
        return;
      }
      if (bytesRead > cursor) {
        const left = bytesRead - cursor;
        const number = frames + 1;
        const what =
          left < RECORD_HEADER
            ? `record header cut short (${left} of ${RECORD_HEADER} bytes)`
            : `frame data cut short (${left - RECORD_HEADER} bytes in file)`;
        stop({
          code: 'CAPTURE_TRUNCATED',
          message: `file truncated in frame ${number} at byte offset ${cursor}: ${what}`,
          offset: cursor,
          frame: number,
        });
        return;
      }
      settled = true;
      resolve(info());
    });
  });
}
