/**
 * Decoding untrusted bytes never throws: every decoder returns a tagged
 * result whose error names what was wrong and at which byte offset.
 */

export type WireErrorCode =
  | 'TRUNCATED'
  | 'BAD_LENGTH'
  | 'BAD_VERSION'
  | 'BAD_HEADER_LENGTH'
  | 'BAD_CHECKSUM'
  | 'BAD_OPTION'
  | 'UNSUPPORTED'
  | 'BAD_ADDRESS'
  | 'BAD_FIELD';

export interface WireProblem {
  code: WireErrorCode;
  message: string;
  /** Byte offset of the offending field within the decoded buffer. */
  offset?: number;
}

export type Decoded<T> = { ok: true; value: T } | { ok: false; error: WireProblem };

/** Thrown only by encoders and text parsers given invalid arguments (a caller bug or bad config). */
export class WireError extends Error {
  constructor(
    readonly code: WireErrorCode,
    message: string,
    readonly offset?: number,
  ) {
    super(message);
    this.name = 'WireError';
  }
}

export function ok<T>(value: T): Decoded<T> {
  return { ok: true, value };
}

export function fail<T = never>(code: WireErrorCode, message: string, offset?: number): Decoded<T> {
  return offset === undefined
    ? { ok: false, error: { code, message } }
    : { ok: false, error: { code, message, offset } };
}

/** Big-endian reads on a plain byte array (callers have checked the bounds). */
export function u16(b: Uint8Array, at: number): number {
  return (b[at]! << 8) | b[at + 1]!;
}

export function u32(b: Uint8Array, at: number): number {
  return ((b[at]! << 24) | (b[at + 1]! << 16) | (b[at + 2]! << 8) | b[at + 3]!) >>> 0;
}

export function put16(b: Uint8Array, at: number, v: number): void {
  b[at] = (v >>> 8) & 0xff;
  b[at + 1] = v & 0xff;
}

export function put32(b: Uint8Array, at: number, v: number): void {
  b[at] = (v >>> 24) & 0xff;
  b[at + 1] = (v >>> 16) & 0xff;
  b[at + 2] = (v >>> 8) & 0xff;
  b[at + 3] = v & 0xff;
}
