/**
 * The `detail` of a TCP record: what the standby needs, beyond the header fields, to feed the
 * same input to its engine (segment options, call arguments). Never stream bytes.
 */
import type { ConnOptions, TcpInput } from '../../tcp/api.ts';
import type { TcpOptions } from '../../wire/tcp-types.ts';
import { ByteReader, ByteWriter } from '../ipc/bytes.ts';
import { ReplicationError } from './errors.ts';

export type ReplayedKind =
  | 'segment'
  | 'send'
  | 'consume'
  | 'setopt'
  | 'shutdown'
  | 'close'
  | 'abort'
  | 'timer'
  | 'resume';

export interface SegmentDetail {
  urgent: number;
  options: TcpOptions;
}
export interface SendDetail {
  /** Stream offset of the first byte written (bytes the app wrote before). */
  offset: number;
  length: number;
}

const OPT_MSS = 1;
const OPT_WSCALE = 2;
const OPT_SACK_OK = 4;
const OPT_TS = 8;
const OPT_SACK = 16;

export function encodeSegmentDetail(urgent: number, o: TcpOptions): Uint8Array {
  const w = new ByteWriter(32);
  const bits =
    (o.mss !== undefined ? OPT_MSS : 0) |
    (o.wscale !== undefined ? OPT_WSCALE : 0) |
    (o.sackPermitted ? OPT_SACK_OK : 0) |
    (o.timestamp ? OPT_TS : 0) |
    (o.sack ? OPT_SACK : 0);
  w.u8(bits).u16(urgent);
  if (o.mss !== undefined) w.u16(o.mss);
  if (o.wscale !== undefined) w.u8(o.wscale);
  if (o.timestamp) w.u32(o.timestamp.value >>> 0).u32(o.timestamp.echo >>> 0);
  if (o.sack) {
    w.u8(o.sack.length);
    for (const b of o.sack) w.u32(b.left >>> 0).u32(b.right >>> 0);
  }
  return w.finish();
}

export function decodeSegmentDetail(bytes: Uint8Array): SegmentDetail {
  return guarded(bytes, 'segment', (r) => {
    const bits = r.u8('bits');
    const urgent = r.u16('urgent');
    const options: TcpOptions = {};
    if (bits & OPT_MSS) options.mss = r.u16('mss');
    if (bits & OPT_WSCALE) options.wscale = r.u8('wscale');
    if (bits & OPT_SACK_OK) options.sackPermitted = true;
    if (bits & OPT_TS) options.timestamp = { value: r.u32('tsval'), echo: r.u32('tsecr') };
    if (bits & OPT_SACK) {
      const n = r.u8('sack.count');
      options.sack = [];
      for (let i = 0; i < n; i++)
        options.sack.push({ left: r.u32('sack.left'), right: r.u32('sack.right') });
    }
    return { urgent, options };
  });
}

export function encodeSendDetail(d: SendDetail): Uint8Array {
  return new ByteWriter(12).u64(d.offset).u32(d.length).finish();
}
export function decodeSendDetail(bytes: Uint8Array): SendDetail {
  return guarded(bytes, 'send', (r) => ({ offset: r.u64('offset'), length: r.u32('length') }));
}

export function encodeCount(n: number): Uint8Array {
  return new ByteWriter(4).u32(n).finish();
}
export function decodeCount(bytes: Uint8Array): number {
  return guarded(bytes, 'consume', (r) => r.u32('n'));
}

const OPT_KEYS = ['nagle', 'keepalive', 'userTimeoutMs', 'rcvBuf', 'sndBuf'] as const;

export function encodeConnOptions(o: ConnOptions): Uint8Array {
  const w = new ByteWriter(24);
  let bits = 0;
  OPT_KEYS.forEach((k, i) => {
    if (o[k] !== undefined) bits |= 1 << i;
  });
  w.u8(bits);
  if (o.nagle !== undefined) w.u8(o.nagle ? 1 : 0);
  if (o.keepalive !== undefined) w.u8(o.keepalive ? 1 : 0);
  if (o.userTimeoutMs !== undefined) w.u32(o.userTimeoutMs);
  if (o.rcvBuf !== undefined) w.u32(o.rcvBuf);
  if (o.sndBuf !== undefined) w.u32(o.sndBuf);
  return w.finish();
}
export function decodeConnOptions(bytes: Uint8Array): ConnOptions {
  return guarded(bytes, 'setopt', (r) => {
    const bits = r.u8('bits');
    const o: ConnOptions = {};
    if (bits & 1) o.nagle = r.u8('nagle') === 1;
    if (bits & 2) o.keepalive = r.u8('keepalive') === 1;
    if (bits & 4) o.userTimeoutMs = r.u32('userTimeoutMs');
    if (bits & 8) o.rcvBuf = r.u32('rcvBuf');
    if (bits & 16) o.sndBuf = r.u32('sndBuf');
    return o;
  });
}

/** The detail of any replicated per-connection input except `send` (whose bytes come apart). */
export function encodeInputDetail(input: TcpInput): Uint8Array {
  switch (input.kind) {
    case 'segment':
      return encodeSegmentDetail(input.segment.urgent, input.segment.options);
    case 'consume':
      return encodeCount(input.n);
    case 'setopt':
      return encodeConnOptions(input.opts);
    case 'resume':
      return new Uint8Array([input.discardOutOfOrder ? 1 : 0]);
    default:
      return new Uint8Array(0);
  }
}

function guarded<T>(bytes: Uint8Array, what: string, read: (r: ByteReader) => T): T {
  try {
    const r = new ByteReader(bytes, `${what} detail`);
    const v = read(r);
    r.end();
    return v;
  } catch (err) {
    throw new ReplicationError('REPL_BAD_DETAIL', (err as Error).message);
  }
}
