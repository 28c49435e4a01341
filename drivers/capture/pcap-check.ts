/**
 * Checks a fetched capture: a classic pcap (not pcapng) with a valid global
 * header, parsed to the end by pcap-parser so a truncated record is caught.
 */

import { closeSync, openSync, readSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { CaptureError, type PcapSummary } from './capture.ts';

const require = createRequire(import.meta.url);
const pcapParser = require('pcap-parser') as {
  parse(path: string): NodeJS.EventEmitter;
};

const MAGIC = new Map<number, { nanosecond: boolean }>([
  [0xa1b2c3d4, { nanosecond: false }],
  [0xa1b23c4d, { nanosecond: true }],
]);

export async function checkPcap(path: string): Promise<PcapSummary> {
  const bytes = statSync(path).size;
  if (bytes < 24)
    throw new CaptureError(
      'CAPTURE_BAD_FILE',
      `${path}: ${bytes} bytes, shorter than a pcap header`,
    );
  const head = Buffer.alloc(24);
  const fd = openSync(path, 'r');
  try {
    readSync(fd, head, 0, 24, 0);
  } finally {
    closeSync(fd);
  }
  const le = head.readUInt32LE(0);
  const be = head.readUInt32BE(0);
  const kind = MAGIC.get(le) ?? MAGIC.get(be);
  if (!kind) {
    const what =
      be === 0x0a0d0d0a ? 'a pcapng file' : `magic 0x${be.toString(16).padStart(8, '0')}`;
    throw new CaptureError('CAPTURE_BAD_FILE', `${path}: not a classic pcap (${what})`);
  }
  const read32 = MAGIC.has(le)
    ? (o: number) => head.readUInt32LE(o)
    : (o: number) => head.readUInt32BE(o);
  const snaplen = read32(16);
  const linkType = read32(20);
  const packets = await new Promise<number>((resolve, reject) => {
    let n = 0;
    const p = pcapParser.parse(path);
    p.on('packet', () => n++);
    p.on('end', () => resolve(n));
    p.on('error', (e: Error) =>
      reject(new CaptureError('CAPTURE_BAD_FILE', `${path}: ${e.message}`, e)),
    );
  });
  return { path, bytes, packets, linkType, snaplen, nanosecond: kind.nanosecond };
}
