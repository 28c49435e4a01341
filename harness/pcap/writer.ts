/**
 * Classic pcap writer, for crafted captures in tests and the benchmark's
 * generated file. Little-endian, microsecond or nanosecond timestamps.
 */
import { LinkType } from './frame.ts';

export interface PcapWriteOptions {
  linkType?: number;
  nanosecond?: boolean;
  snapLength?: number;
}

export interface PcapRecord {
  timeMs: number;
  /** Exact time, overriding timeMs (a double cannot hold epoch nanoseconds). */
  exact?: { sec: number; ns: number };
  data: Uint8Array;
  /** Defaults to data.length. */
  originalLength?: number;
}

export function pcapFileHeader(opts: PcapWriteOptions = {}): Buffer {
  const h = Buffer.alloc(24);
  h.writeUInt32LE(opts.nanosecond ? 0xa1b23c4d : 0xa1b2c3d4, 0);
  h.writeUInt16LE(2, 4);
  h.writeUInt16LE(4, 6);
  h.writeUInt32LE(opts.snapLength ?? 262144, 16);
  h.writeUInt32LE(opts.linkType ?? LinkType.ETHERNET, 20);
  return h;
}

/** Writes one record (header and data) into `out` at `at`; returns the bytes written. */
export function writePcapRecord(
  out: Buffer,
  at: number,
  rec: PcapRecord,
  nanosecond = false,
): number {
  const seconds = rec.exact ? rec.exact.sec : Math.floor(rec.timeMs / 1000);
  const scale = nanosecond ? 1e6 : 1e3;
  const limit = nanosecond ? 1e9 - 1 : 1e6 - 1;
  const fraction = rec.exact
    ? Math.floor(rec.exact.ns / (nanosecond ? 1 : 1000))
    : Math.min(limit, Math.round((rec.timeMs - seconds * 1000) * scale));
  out.writeUInt32LE(seconds, at);
  out.writeUInt32LE(fraction, at + 4);
  out.writeUInt32LE(rec.data.length, at + 8);
  out.writeUInt32LE(rec.originalLength ?? rec.data.length, at + 12);
  out.set(rec.data, at + 16);
  return 16 + rec.data.length;
}

export function encodePcap(records: PcapRecord[], opts: PcapWriteOptions = {}): Buffer {
  const size = records.reduce((n, r) => n + 16 + r.data.length, 24);
  const out = Buffer.alloc(size);
  pcapFileHeader(opts).copy(out, 0);
  let at = 24;
  for (const rec of records) at += writePcapRecord(out, at, rec, opts.nanosecond);
  return out;
}
