/**
 * Incremental frame decoder: accepts a byte stream in chunks of any size (frames may straddle
 * chunks), bounds the buffered bytes by the maximum frame size, and refuses bad magic, unknown
 * versions, oversize lengths, bad or missing MACs and out-of-order sequences with a typed
 * error. It never throws: a refusal is returned, and the decoder stays failed afterwards
 * (a byte stream cannot be resynchronised safely; the link is dropped and reconnected).
 */
import { timingSafeEqual } from 'node:crypto';
import { HaError } from '../errors.ts';
import {
  computeMac,
  DEFAULT_MAX_PAYLOAD,
  FLAG_MAC,
  FRAME_MAGIC,
  FRAME_VERSION,
  type Frame,
  HEADER_BYTES,
  MAC_BYTES,
  RECORD_TYPE_CODES,
} from './frame.ts';

const EMPTY = new Uint8Array(0);

export interface DecoderOptions {
  /** Shared key; when set, every frame must carry a valid HMAC-SHA256. */
  key?: Uint8Array;
  /** Largest accepted payload in bytes. */
  maxPayload?: number;
  /** Expect sequence numbers to follow on from `firstSequence` (streams: yes; datagrams: no). */
  checkSequence?: boolean;
  firstSequence?: number;
}

export interface DecodeResult {
  frames: Frame[];
  /** Set when the input was refused; the decoder accepts nothing more after that. */
  error?: HaError;
}

export class FrameDecoder {
  private pending: Uint8Array = new Uint8Array(0);
  private parts: Uint8Array[] = [];
  private partsLength = 0;
  /** Bytes the frame begun in `pending` needs in all, or 0 while its header is incomplete. */
  private need = 0;
  private failure: HaError | undefined;
  private nextSequence: number;
  private readonly maxPayload: number;

  constructor(private readonly opts: DecoderOptions = {}) {
    this.maxPayload = opts.maxPayload ?? DEFAULT_MAX_PAYLOAD;
    this.nextSequence = (opts.firstSequence ?? 0) >>> 0;
  }

  get failed(): HaError | undefined {
    return this.failure;
  }

  /** Bytes held waiting for the rest of a frame. */
  get buffered(): number {
    return this.pending.length + this.partsLength;
  }

  push(chunk: Uint8Array): DecodeResult {
    if (this.failure) {
      return { frames: [], error: new HaError('IPC_DECODER_FAILED', this.failure.message) };
    }
    // A large frame arriving in many small reads: keep the pieces and join them once it is
    // complete (joining on every read would copy the frame once per read).
    if (this.need > 0 && this.pending.length + this.partsLength + chunk.length < this.need) {
      this.parts.push(chunk.slice());
      this.partsLength += chunk.length;
      return { frames: [] };
    }
    let buf: Uint8Array;
    // A plain view (not a Buffer), so the payloads handed out are plain Uint8Arrays too.
    if (this.pending.length === 0 && this.parts.length === 0)
      buf = new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    else {
      buf = new Uint8Array(this.pending.length + this.partsLength + chunk.length);
      buf.set(this.pending);
      let at = this.pending.length;
      for (const part of this.parts) {
        buf.set(part, at);
        at += part.length;
      }
      buf.set(chunk, at);
      this.parts = [];
      this.partsLength = 0;
    }
    const frames: Frame[] = [];
    let pos = 0;
    while (true) {
      const step = this.parseOne(buf, pos);
      if (step instanceof HaError) {
        this.failure = step;
        this.pending = new Uint8Array(0);
        this.need = 0;
        return { frames, error: step };
      }
      if (step === undefined) break;
      frames.push(step.frame);
      pos = step.next;
    }
    this.pending = pos === buf.length ? EMPTY : buf.slice(pos);
    this.need = this.frameLength(this.pending);
    return { frames };
  }

  /** Full length of the frame begun in `head` once its header is in (its checks passed), else 0. */
  private frameLength(head: Uint8Array): number {
    if (head.length < HEADER_BYTES) return 0;
    const length = new DataView(head.buffer, head.byteOffset, HEADER_BYTES).getUint32(6);
    return HEADER_BYTES + length + (this.opts.key ? MAC_BYTES : 0);
  }

  /** One frame at `pos`, undefined when more bytes are needed, or the refusal. */
  private parseOne(
    buf: Uint8Array,
    pos: number,
  ): { frame: Frame; next: number } | HaError | undefined {
    const avail = buf.length - pos;
    const view = new DataView(buf.buffer, buf.byteOffset + pos, avail);
    // Check each header field as soon as it has arrived, so garbage is refused at once.
    if (avail >= 2 && view.getUint16(0) !== FRAME_MAGIC) {
      return new HaError('IPC_BAD_MAGIC', `bad magic 0x${view.getUint16(0).toString(16)}`);
    }
    if (avail >= 3 && view.getUint8(2) !== FRAME_VERSION) {
      return new HaError('IPC_BAD_VERSION', `unknown protocol version ${view.getUint8(2)}`);
    }
    if (avail >= 6) {
      const flags = view.getUint8(4);
      if ((flags & ~FLAG_MAC) !== 0 || view.getUint8(5) !== 0) {
        return new HaError(
          'IPC_BAD_FLAGS',
          `unknown flags 0x${flags.toString(16)} or reserved byte set`,
        );
      }
      const hasMac = (flags & FLAG_MAC) !== 0;
      if (this.opts.key && !hasMac)
        return new HaError('IPC_MAC_MISSING', 'frame without MAC (key configured)');
      if (!this.opts.key && hasMac)
        return new HaError('IPC_MAC_UNEXPECTED', 'frame carries a MAC but no key is configured');
    }
    if (avail >= 10 && view.getUint32(6) > this.maxPayload) {
      return new HaError(
        'IPC_FRAME_TOO_LARGE',
        `payload length ${view.getUint32(6)} exceeds ${this.maxPayload}`,
      );
    }
    if (avail < HEADER_BYTES) return undefined;
    const length = view.getUint32(6);
    const macLen = this.opts.key ? MAC_BYTES : 0;
    const total = HEADER_BYTES + length + macLen;
    if (avail < total) return undefined;
    if (this.opts.key) {
      const body = buf.subarray(pos, pos + HEADER_BYTES + length);
      const mac = buf.subarray(pos + HEADER_BYTES + length, pos + total);
      if (!timingSafeEqual(computeMac(this.opts.key, body), mac)) {
        return new HaError('IPC_BAD_MAC', `bad MAC on frame sequence ${view.getUint32(10)}`);
      }
    }
    // Type and sequence are judged only once the MAC vouches for the header.
    const type = view.getUint8(3);
    if (!RECORD_TYPE_CODES.has(type))
      return new HaError('IPC_UNKNOWN_TYPE', `unknown record type ${type}`);
    const sequence = view.getUint32(10);
    if (this.opts.checkSequence !== false) {
      if (sequence !== this.nextSequence) {
        return new HaError(
          'IPC_BAD_SEQUENCE',
          `sequence ${sequence}, expected ${this.nextSequence}`,
        );
      }
      this.nextSequence = (sequence + 1) >>> 0;
    }
    // A view: decoding copies out what a record keeps (its byte fields), nothing holds the frame.
    const payload = buf.subarray(pos + HEADER_BYTES, pos + HEADER_BYTES + length);
    return { frame: { version: FRAME_VERSION, type, sequence, payload }, next: pos + total };
  }
}
