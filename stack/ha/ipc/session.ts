/**
 * One IPC session (one connected byte stream): records in, bytes out, with the per-direction
 * frame sequence and the optional shared key. Pure: the transport is someone else's concern.
 * A new session (fresh sequences) starts on every reconnect.
 */
import { HaError } from '../errors.ts';
import { ByteWriter } from './bytes.ts';
import { FrameDecoder } from './decoder.ts';
import { encodeFrame, HEADER_BYTES, MAC_BYTES, sealFrame, sealFrameParts } from './frame.ts';
import {
  decodeRecord,
  encodeRecordPayload,
  payloadSizeHint,
  recordTypeCode,
  writeRecordPayload,
} from './record-codec.ts';
import type { IpcRecord } from './records.ts';

/** Socket data from this size on is sent by reference (see encodeParts). */
export const BY_REFERENCE_BYTES = 4096;

export interface SessionOptions {
  key?: Uint8Array;
  maxPayload?: number;
}

export interface ReceiveResult {
  records: IpcRecord[];
  /** The stream was refused at this point; the session must be closed. */
  error?: HaError;
}

export class IpcSession {
  private sendSequence = 0;
  private readonly decoder: FrameDecoder;

  constructor(private readonly opts: SessionOptions = {}) {
    this.decoder = new FrameDecoder({
      key: opts.key,
      maxPayload: opts.maxPayload,
      checkSequence: true,
    });
  }

  get failed(): HaError | undefined {
    return this.decoder.failed;
  }

  encode(rec: IpcRecord): Uint8Array {
    const macLen = this.opts.key ? MAC_BYTES : 0;
    // Header, payload and MAC in one buffer: the payload is written where it will travel.
    const w = new ByteWriter(HEADER_BYTES + payloadSizeHint(rec) + macLen).skip(HEADER_BYTES);
    writeRecordPayload(w, rec);
    const bytes = sealFrame(
      w.skip(macLen).finish(),
      recordTypeCode(rec.type),
      this.sendSequence,
      this.opts.key,
    );
    this.sendSequence = (this.sendSequence + 1) >>> 0;
    return bytes;
  }

  /**
   * The same frame as `encode`, as buffers to send in order: socket data of BY_REFERENCE_BYTES
   * or more is not copied into the frame but travels as its own buffer (one writev).
   */
  encodeParts(rec: IpcRecord): Uint8Array[] {
    const data =
      rec.type === 'log' && rec.entry.kind === 'socket-data' ? rec.entry.bytes : undefined;
    if (!data || data.length < BY_REFERENCE_BYTES) return [this.encode(rec)];
    const w = new ByteWriter(HEADER_BYTES + payloadSizeHint(rec) - data.length).skip(HEADER_BYTES);
    writeRecordPayload(w, rec, true);
    const parts = sealFrameParts(
      w.finish(),
      data,
      recordTypeCode(rec.type),
      this.sendSequence,
      this.opts.key,
    );
    this.sendSequence = (this.sendSequence + 1) >>> 0;
    return parts;
  }

  receive(chunk: Uint8Array): ReceiveResult {
    const { frames, error } = this.decoder.push(chunk);
    const records: IpcRecord[] = [];
    for (const frame of frames) {
      const rec = decodeRecord(frame);
      if (rec instanceof Error) return { records, error: rec };
      records.push(rec);
    }
    return error ? { records, error } : { records };
  }
}

/** A record alone in a datagram (LAN heartbeats): no sequence check, loss and reorder allowed. */
export function encodeDatagram(rec: IpcRecord, counter: number, key?: Uint8Array): Uint8Array {
  return encodeFrame(recordTypeCode(rec.type), counter, encodeRecordPayload(rec), key);
}

export function decodeDatagram(bytes: Uint8Array, opts: SessionOptions = {}): IpcRecord | HaError {
  const decoder = new FrameDecoder({
    key: opts.key,
    maxPayload: opts.maxPayload ?? 4096,
    checkSequence: false,
  });
  const { frames, error } = decoder.push(bytes);
  if (error) return error;
  const [frame] = frames;
  if (frames.length !== 1 || !frame || decoder.buffered !== 0) {
    return new HaError(
      'IPC_BAD_LENGTH',
      `datagram holds ${frames.length} frames and ${decoder.buffered} spare bytes`,
    );
  }
  return decodeRecord(frame);
}
