/** IPv4 header: checksum verified, options skipped, fragments flagged so the caller drops them. */
import { internetChecksum } from './checksum.ts';
import { type Decoded, fail, ok, put16, put32, u16, u32 } from './result.ts';

export const IpProtocol = { ICMP: 1, TCP: 6, UDP: 17 } as const;

export interface Ipv4Packet {
  /** Differentiated services code point (upper 6 bits of the TOS byte). */
  dscp: number;
  ecn: number;
  /** Total length as carried in the header. */
  totalLength: number;
  id: number;
  dontFragment: boolean;
  moreFragments: boolean;
  /** Fragment offset in bytes. */
  fragmentOffset: number;
  ttl: number;
  protocol: number;
  src: number;
  dst: number;
  /** Header length in bytes (20 + options, which are skipped). */
  headerLength: number;
  /** True for any fragment (MF set or non-zero offset): the stack does not reassemble. */
  isFragment: boolean;
  /** The upper-layer bytes, trimmed to the total length (Ethernet padding removed). */
  payload: Uint8Array;
}

export interface Ipv4DecodeOptions {
  /** Verify the header checksum (default true). */
  verifyChecksum?: boolean;
}

/** Bounds-checked view over an IPv4 packet; `bytes` may carry trailing link padding. */
export class Ipv4View {
  private constructor(readonly bytes: Uint8Array) {}

  static wrap(bytes: Uint8Array, options: Ipv4DecodeOptions = {}): Decoded<Ipv4View> {
    if (bytes.length < 20)
      return fail('TRUNCATED', `IPv4 packet of ${bytes.length} bytes, header needs 20`, 0);
    const version = bytes[0]! >>> 4;
    if (version !== 4) return fail('BAD_VERSION', `IP version ${version}, expected 4`, 0);
    const headerLength = (bytes[0]! & 0x0f) * 4;
    if (headerLength < 20)
      return fail('BAD_HEADER_LENGTH', `IPv4 header length ${headerLength} < 20`, 0);
    const totalLength = u16(bytes, 2);
    if (totalLength < headerLength) {
      return fail(
        'BAD_LENGTH',
        `IPv4 total length ${totalLength} < header length ${headerLength}`,
        2,
      );
    }
    if (totalLength > bytes.length) {
      return fail(
        'TRUNCATED',
        `IPv4 total length ${totalLength} > ${bytes.length} bytes received`,
        2,
      );
    }
    if (options.verifyChecksum !== false && internetChecksum(bytes, 0, headerLength) !== 0) {
      return fail('BAD_CHECKSUM', 'IPv4 header checksum mismatch', 10);
    }
    return ok(new Ipv4View(bytes));
  }

  get headerLength(): number {
    return (this.bytes[0]! & 0x0f) * 4;
  }
  get totalLength(): number {
    return u16(this.bytes, 2);
  }
  get id(): number {
    return u16(this.bytes, 4);
  }
  get fragmentField(): number {
    return u16(this.bytes, 6);
  }
  get isFragment(): boolean {
    return (this.fragmentField & 0x3fff) !== 0;
  }
  get ttl(): number {
    return this.bytes[8]!;
  }
  get protocol(): number {
    return this.bytes[9]!;
  }
  get src(): number {
    return u32(this.bytes, 12);
  }
  get dst(): number {
    return u32(this.bytes, 16);
  }
  get payload(): Uint8Array {
    return this.bytes.subarray(this.headerLength, this.totalLength);
  }

  toRecord(): Ipv4Packet {
    const frag = this.fragmentField;
    return {
      dscp: this.bytes[1]! >>> 2,
      ecn: this.bytes[1]! & 3,
      totalLength: this.totalLength,
      id: this.id,
      dontFragment: (frag & 0x4000) !== 0,
      moreFragments: (frag & 0x2000) !== 0,
      fragmentOffset: (frag & 0x1fff) * 8,
      ttl: this.ttl,
      protocol: this.protocol,
      src: this.src,
      dst: this.dst,
      headerLength: this.headerLength,
      isFragment: (frag & 0x3fff) !== 0,
      payload: this.payload,
    };
  }
}

export function decodeIpv4(
  bytes: Uint8Array,
  options: Ipv4DecodeOptions = {},
): Decoded<Ipv4Packet> {
  const view = Ipv4View.wrap(bytes, options);
  return view.ok ? ok(view.value.toRecord()) : view;
}

export interface Ipv4Header {
  src: number;
  dst: number;
  protocol: number;
  /** Default 64. */
  ttl?: number;
  /** Default 0. */
  id?: number;
  /** Default true. */
  dontFragment?: boolean;
  dscp?: number;
  ecn?: number;
}

export const IPV4_HEADER_LENGTH = 20;

/** Write a 20-byte header with its checksum at `out[at]`, for a payload of `payloadLength` bytes. */
export function writeIpv4Header(
  out: Uint8Array,
  at: number,
  h: Ipv4Header,
  payloadLength: number,
): void {
  out[at] = 0x45;
  out[at + 1] = (((h.dscp ?? 0) & 0x3f) << 2) | ((h.ecn ?? 0) & 3);
  put16(out, at + 2, IPV4_HEADER_LENGTH + payloadLength);
  put16(out, at + 4, h.id ?? 0);
  put16(out, at + 6, h.dontFragment === false ? 0 : 0x4000);
  out[at + 8] = h.ttl ?? 64;
  out[at + 9] = h.protocol;
  put16(out, at + 10, 0);
  put32(out, at + 12, h.src);
  put32(out, at + 16, h.dst);
  put16(out, at + 10, internetChecksum(out, at, at + IPV4_HEADER_LENGTH));
}

/** Encode a packet (no options, never fragmented). */
export function encodeIpv4(h: Ipv4Header, payload: Uint8Array): Uint8Array {
  const out = new Uint8Array(IPV4_HEADER_LENGTH + payload.length);
  writeIpv4Header(out, 0, h, payload.length);
  out.set(payload, IPV4_HEADER_LENGTH);
  return out;
}
