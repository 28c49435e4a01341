/** ICMP echo request and reply. */
import { internetChecksum } from './checksum.ts';
import { type Decoded, fail, ok, put16, u16 } from './result.ts';

export const IcmpType = {
  ECHO_REPLY: 0,
  DEST_UNREACHABLE: 3,
  ECHO_REQUEST: 8,
  TIME_EXCEEDED: 11,
} as const;

export interface IcmpMessage {
  type: number;
  code: number;
  /** The 4 bytes after the checksum (identifier and sequence for echo). */
  restOfHeader: number;
  body: Uint8Array;
}

export interface IcmpEcho {
  /** IcmpType.ECHO_REQUEST or IcmpType.ECHO_REPLY. */
  type: number;
  code: number;
  id: number;
  seq: number;
  data: Uint8Array;
}

export interface IcmpDecodeOptions {
  verifyChecksum?: boolean;
}

/** Bounds-checked view over an ICMP message. */
export class IcmpView {
  private constructor(readonly bytes: Uint8Array) {}

  static wrap(bytes: Uint8Array, options: IcmpDecodeOptions = {}): Decoded<IcmpView> {
    if (bytes.length < 8)
      return fail('TRUNCATED', `ICMP message of ${bytes.length} bytes, needs 8`, 0);
    if (options.verifyChecksum !== false && internetChecksum(bytes) !== 0) {
      return fail('BAD_CHECKSUM', 'ICMP checksum mismatch', 2);
    }
    return ok(new IcmpView(bytes));
  }

  get type(): number {
    return this.bytes[0]!;
  }
  get code(): number {
    return this.bytes[1]!;
  }
  get isEcho(): boolean {
    return this.type === IcmpType.ECHO_REQUEST || this.type === IcmpType.ECHO_REPLY;
  }
  get id(): number {
    return u16(this.bytes, 4);
  }
  get seq(): number {
    return u16(this.bytes, 6);
  }
  get body(): Uint8Array {
    return this.bytes.subarray(8);
  }
}

export function decodeIcmp(
  bytes: Uint8Array,
  options: IcmpDecodeOptions = {},
): Decoded<IcmpMessage> {
  const v = IcmpView.wrap(bytes, options);
  if (!v.ok) return v;
  const restOfHeader = ((v.value.id << 16) | v.value.seq) >>> 0;
  return ok({ type: v.value.type, code: v.value.code, restOfHeader, body: v.value.body });
}

/** Decode an echo request or reply; any other type is UNSUPPORTED. */
export function decodeIcmpEcho(
  bytes: Uint8Array,
  options: IcmpDecodeOptions = {},
): Decoded<IcmpEcho> {
  const v = IcmpView.wrap(bytes, options);
  if (!v.ok) return v;
  if (!v.value.isEcho) return fail('UNSUPPORTED', `ICMP type ${v.value.type} is not echo`, 0);
  return ok({
    type: v.value.type,
    code: v.value.code,
    id: v.value.id,
    seq: v.value.seq,
    data: v.value.body,
  });
}

export function encodeIcmpEcho(echo: IcmpEcho): Uint8Array {
  const out = new Uint8Array(8 + echo.data.length);
  out[0] = echo.type;
  out[1] = echo.code;
  put16(out, 4, echo.id);
  put16(out, 6, echo.seq);
  out.set(echo.data, 8);
  put16(out, 2, internetChecksum(out));
  return out;
}
