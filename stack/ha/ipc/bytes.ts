/**
 * Bounds-checked big-endian writer and reader for record payloads. The reader throws
 * `HaError('IPC_BAD_PAYLOAD')` naming the field when the payload is short or a value is out of
 * range, so a malformed record is refused with a reason instead of reading garbage.
 */
import { HaError } from '../errors.ts';

const SLAB_BYTES = 64 * 1024;
const SLAB_MAX_PIECE = 8 * 1024;
let slab = new ArrayBuffer(SLAB_BYTES);
let slabUsed = 0;

/**
 * Room for a buffer about to be written in full (not zeroed). Small ones are carved from a
 * shared 64 KiB slab, so a record costs no ArrayBuffer of its own (their allocation and the
 * garbage collection they cause dominate a per-record path); a piece is never handed out
 * twice, so a frame still queued on a socket is safe.
 */
function allocate(n: number): Uint8Array {
  if (n > SLAB_MAX_PIECE) {
    const big = Buffer.allocUnsafeSlow(n);
    return new Uint8Array(big.buffer, big.byteOffset, n);
  }
  if (slabUsed + n > SLAB_BYTES) {
    slab = new ArrayBuffer(SLAB_BYTES);
    slabUsed = 0;
  }
  const piece = new Uint8Array(slab, slabUsed, n);
  slabUsed = (slabUsed + n + 7) & ~7;
  return piece;
}

export class ByteWriter {
  private buf: Uint8Array;
  private view: DataView;
  private pos = 0;

  constructor(initial = 64) {
    this.buf = allocate(initial);
    this.view = new DataView(this.buf.buffer, this.buf.byteOffset, this.buf.byteLength);
  }

  private reserve(n: number): number {
    if (this.pos + n > this.buf.length) {
      const next = allocate(Math.max(this.buf.length * 2, this.pos + n));
      next.set(this.buf.subarray(0, this.pos));
      this.buf = next;
      this.view = new DataView(next.buffer, next.byteOffset, next.byteLength);
    }
    const at = this.pos;
    this.pos += n;
    return at;
  }

  u8(v: number): this {
    const at = this.reserve(1);
    this.view.setUint8(at, v);
    return this;
  }
  u16(v: number): this {
    const at = this.reserve(2);
    this.view.setUint16(at, v);
    return this;
  }
  u32(v: number): this {
    const at = this.reserve(4);
    this.view.setUint32(at, v >>> 0);
    return this;
  }
  /** Non-negative integer up to 2^53 - 1 (log indices, byte offsets). */
  u64(v: number): this {
    const at = this.reserve(8);
    this.view.setUint32(at, Math.floor(v / 0x1_0000_0000));
    this.view.setUint32(at + 4, v >>> 0);
    return this;
  }
  f64(v: number): this {
    const at = this.reserve(8);
    this.view.setFloat64(at, v);
    return this;
  }
  /** Length-prefixed (u32) bytes. */
  bytes(b: Uint8Array): this {
    this.u32(b.length);
    const at = this.reserve(b.length);
    this.buf.set(b, at);
    return this;
  }
  /** Leave `n` bytes for someone else to fill (a frame header, a MAC). */
  skip(n: number): this {
    this.reserve(n);
    return this;
  }
  /** Raw bytes to the end of the payload (no length prefix). */
  tail(b: Uint8Array): this {
    const at = this.reserve(b.length);
    this.buf.set(b, at);
    return this;
  }
  /** The bytes written (a view: the writer must not be used afterwards). */
  finish(): Uint8Array {
    return this.buf.subarray(0, this.pos);
  }
}

export class ByteReader {
  private readonly view: DataView;
  private pos = 0;

  constructor(
    private readonly buf: Uint8Array,
    private readonly what: string,
  ) {
    this.view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  }

  private need(n: number, field: string): number {
    if (this.pos + n > this.buf.length) {
      throw new HaError(
        'IPC_BAD_PAYLOAD',
        `${this.what}: payload ends inside ${field} (offset ${this.pos}, ${this.buf.length} bytes)`,
      );
    }
    const at = this.pos;
    this.pos += n;
    return at;
  }

  u8(field: string): number {
    return this.view.getUint8(this.need(1, field));
  }
  u16(field: string): number {
    return this.view.getUint16(this.need(2, field));
  }
  u32(field: string): number {
    return this.view.getUint32(this.need(4, field));
  }
  u64(field: string): number {
    const at = this.need(8, field);
    const hi = this.view.getUint32(at);
    if (hi > 0x1f_ffff) this.fail(field, 'exceeds 2^53');
    return hi * 0x1_0000_0000 + this.view.getUint32(at + 4);
  }
  /** A finite double (times and deadlines; NaN or infinity is refused). */
  f64(field: string): number {
    const v = this.view.getFloat64(this.need(8, field));
    if (!Number.isFinite(v)) this.fail(field, `not a finite number (${v})`);
    return v;
  }
  bytes(field: string): Uint8Array {
    const n = this.u32(`${field} length`);
    const at = this.need(n, field);
    return this.buf.slice(at, at + n);
  }
  /**
   * Length-prefixed bytes as a view of the input when they fill at least half of its buffer
   * (bulk socket data: no copy, and the view keeps little else alive), else a copy (a few
   * bytes must not pin a whole read chunk while they wait for the app).
   */
  bulkBytes(field: string): Uint8Array {
    const n = this.u32(`${field} length`);
    const at = this.need(n, field);
    return n * 2 >= this.buf.buffer.byteLength
      ? this.buf.subarray(at, at + n)
      : this.buf.slice(at, at + n);
  }
  tail(): Uint8Array {
    const rest = this.buf.slice(this.pos);
    this.pos = this.buf.length;
    return rest;
  }
  /** Maps a u8 code to one of `names`, refusing codes outside the list. */
  enumOf<T extends string>(field: string, names: readonly T[]): T {
    const code = this.u8(field);
    const name = names[code];
    if (name === undefined) this.fail(field, `unknown code ${code}`);
    return name;
  }
  /** Bytes not read yet (an optional trailing field is there or not). */
  get remaining(): number {
    return this.buf.length - this.pos;
  }
  end(): void {
    if (this.pos !== this.buf.length) {
      this.fail('end', `${this.buf.length - this.pos} trailing bytes`);
    }
  }
  fail(field: string, why: string): never {
    throw new HaError('IPC_BAD_PAYLOAD', `${this.what}: ${field}: ${why}`);
  }
}

/** Index of `name` in `names` as a u8 code (the inverse of `ByteReader.enumOf`). */
export function enumCode<T extends string>(names: readonly T[], name: T): number {
  const code = names.indexOf(name);
  if (code < 0) throw new HaError('IPC_BAD_PAYLOAD', `cannot encode unknown value ${name}`);
  return code;
}
