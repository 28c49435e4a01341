/** TCP segments over IPv4: header, options and the pseudo-header checksum. */
import { finishChecksum, pseudoHeaderSum, sumWords } from './checksum.ts';
import { IpProtocol } from './ipv4.ts';
import { type Decoded, fail, ok, put16, put32, u16, u32 } from './result.ts';
import { decodeTcpOptions, encodeTcpOptions } from './tcp-options.ts';
import type { TcpSegment } from './tcp-types.ts';

export const TCP_HEADER_LENGTH = 20;

export interface TcpDecodeOptions {
  /** Verify the checksum over the pseudo-header, header and payload (default true). */
  verifyChecksum?: boolean;
}

/** TCP checksum of `bytes` (header with its checksum field, plus payload) between two addresses. */
export function tcpChecksum(bytes: Uint8Array, srcIp: number, dstIp: number): number {
  const sum = pseudoHeaderSum(srcIp, dstIp, IpProtocol.TCP, bytes.length);
  return finishChecksum(sumWords(bytes, 0, bytes.length, sum));
}

/** Bounds-checked view over a TCP segment (the IPv4 payload, already trimmed to its length). */
export class TcpView {
  private constructor(readonly bytes: Uint8Array) {}

  static wrap(bytes: Uint8Array): Decoded<TcpView> {
    if (bytes.length < TCP_HEADER_LENGTH) {
      return fail('TRUNCATED', `TCP segment of ${bytes.length} bytes, header needs 20`, 0);
    }
    const dataOffset = (bytes[12]! >>> 4) * 4;
    if (dataOffset < TCP_HEADER_LENGTH) {
      return fail('BAD_HEADER_LENGTH', `TCP data offset ${dataOffset} < 20`, 12);
    }
    if (dataOffset > bytes.length) {
      return fail('TRUNCATED', `TCP data offset ${dataOffset} > ${bytes.length} bytes`, 12);
    }
    return ok(new TcpView(bytes));
  }

  get srcPort(): number {
    return u16(this.bytes, 0);
  }
  get dstPort(): number {
    return u16(this.bytes, 2);
  }
  get seq(): number {
    return u32(this.bytes, 4);
  }
  get ack(): number {
    return u32(this.bytes, 8);
  }
  get headerLength(): number {
    return (this.bytes[12]! >>> 4) * 4;
  }
  get flags(): number {
    return this.bytes[13]!;
  }
  get window(): number {
    return u16(this.bytes, 14);
  }
  get checksum(): number {
    return u16(this.bytes, 16);
  }
  get urgent(): number {
    return u16(this.bytes, 18);
  }
  get payload(): Uint8Array {
    return this.bytes.subarray(this.headerLength);
  }
}

/** Decode a segment; the payload is a view into `bytes`. Never throws. */
export function decodeTcp(
  bytes: Uint8Array,
  srcIp: number,
  dstIp: number,
  options: TcpDecodeOptions = {},
): Decoded<TcpSegment> {
  const wrapped = TcpView.wrap(bytes);
  if (!wrapped.ok) return wrapped;
  const v = wrapped.value;
  if (options.verifyChecksum !== false && tcpChecksum(bytes, srcIp, dstIp) !== 0) {
    return fail('BAD_CHECKSUM', 'TCP checksum mismatch', 16);
  }
  const opts = decodeTcpOptions(bytes, TCP_HEADER_LENGTH, v.headerLength);
  if (!opts.ok) return opts;
  return ok({
    srcPort: v.srcPort,
    dstPort: v.dstPort,
    seq: v.seq,
    ack: v.ack,
    flags: v.flags,
    window: v.window,
    urgent: v.urgent,
    options: opts.value,
    payload: v.payload,
  });
}

/** Encoded length of a segment (header, options and payload). */
export function encodedTcpLength(segment: TcpSegment): number {
  return TCP_HEADER_LENGTH + encodeTcpOptions(segment.options).length + segment.payload.length;
}

/** Write the segment with its checksum at `out[at]`; returns the bytes written. */
export function writeTcp(
  out: Uint8Array,
  at: number,
  s: TcpSegment,
  srcIp: number,
  dstIp: number,
): number {
  const options = encodeTcpOptions(s.options);
  const header = TCP_HEADER_LENGTH + options.length;
  const length = header + s.payload.length;
  const seg = out.subarray(at, at + length);
  put16(seg, 0, s.srcPort);
  put16(seg, 2, s.dstPort);
  put32(seg, 4, s.seq >>> 0);
  put32(seg, 8, s.ack >>> 0);
  seg[12] = (header / 4) << 4;
  seg[13] = s.flags & 0xff;
  put16(seg, 14, s.window);
  put16(seg, 16, 0);
  put16(seg, 18, s.urgent);
  seg.set(options, TCP_HEADER_LENGTH);
  seg.set(s.payload, header);
  put16(seg, 16, tcpChecksum(seg, srcIp, dstIp));
  return length;
}

export function encodeTcp(segment: TcpSegment, srcIp: number, dstIp: number): Uint8Array {
  const out = new Uint8Array(encodedTcpLength(segment));
  writeTcp(out, 0, segment, srcIp, dstIp);
  return out;
}
