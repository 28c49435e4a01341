/**
 * Opens a capture file of either format and streams its frames to a sink.
 * Throws CaptureError when the file is unusable from the start (empty, not a
 * capture); a file that breaks off later resolves with `problem` set.
 */
import { open, stat } from 'node:fs/promises';
import { readClassic } from './classic.ts';
import { CaptureError } from './errors.ts';
import type { CaptureInfo, FrameSink } from './frame.ts';
import { readPcapng } from './pcapng.ts';

export async function readCapture(file: string, sink: FrameSink): Promise<CaptureInfo> {
  let size: number;
  const head = Buffer.alloc(4);
  try {
    size = (await stat(file)).size;
    if (size === 0) throw new CaptureError('CAPTURE_EMPTY', `${file}: file is empty (0 bytes)`, 0);
    const fh = await open(file, 'r');
    try {
      await fh.read(head, 0, 4, 0);
    } finally {
      await fh.close();
    }
  } catch (err) {
    if (err instanceof CaptureError) throw err;
    throw new CaptureError('CAPTURE_UNREADABLE', `${file}: ${(err as Error).message}`);
  }
  if (size < 4) {
    throw new CaptureError(
      'CAPTURE_TRUNCATED',
      `${file}: file header cut short (${size} bytes)`,
      0,
    );
  }
  const magic = head.readUInt32BE(0);
  switch (magic) {
    case 0xa1b2c3d4:
      return readClassic(file, { nanosecond: false, littleEndian: false }, sink);
    case 0xd4c3b2a1:
      return readClassic(file, { nanosecond: false, littleEndian: true }, sink);
    case 0xa1b23c4d:
      return readClassic(file, { nanosecond: true, littleEndian: false }, sink);
    case 0x4d3cb2a1:
      return readClassic(file, { nanosecond: true, littleEndian: true }, sink);
    case 0x0a0d0d0a:
      return readPcapng(file, sink);
    default:
      throw new CaptureError(
        'CAPTURE_NOT_PCAP',
        `${file}: not a pcap or pcapng file (magic 0x${head.toString('hex')} at byte offset 0)`,
        0,
      );
  }
}
