/**
 * IPC frame layout (version 3: a snapshot of a regenerable stream carries its send queue as a
 * length only; 2: a consumed record carries the time of its consume), big-endian:
 *
 *   0  u16 magic 0x484C ('HL')
 *   2  u8  version (3)
 *   3  u8  record type (RecordType)
 *   4  u8  flags (bit 0: a MAC follows the payload)
 *   5  u8  reserved, 0
 *   6  u32 payload length
 *  10  u32 sequence (per direction and per session, +1 per frame, modulo 2^32)
 *  14  payload
 *   .  32-byte HMAC-SHA256 over header and payload, when a key is configured
 *
 * With a key every frame must carry a MAC; without one, none may (a mismatch of configuration
 * between the boards is refused, not silently accepted).
 */
import { createHmac } from 'node:crypto';

export const FRAME_MAGIC = 0x484c;
export const FRAME_VERSION = 3;
export const HEADER_BYTES = 14;
export const MAC_BYTES = 32;
export const FLAG_MAC = 0x01;
/** Default bound on one payload; a log record is small, a bulk-sync snapshot may be larger. */
export const DEFAULT_MAX_PAYLOAD = 4 * 1024 * 1024;

export const RecordType = {
  heartbeat: 1,
  hello: 2,
  log: 3,
  confirm: 4,
  bulkBegin: 5,
  bulkEnd: 6,
  switchover: 7,
  resyncRequest: 8,
} as const;
export type RecordTypeCode = (typeof RecordType)[keyof typeof RecordType];
export const RECORD_TYPE_CODES = new Set<number>(Object.values(RecordType));

/** A frame as it travels: the payload is still opaque bytes. */
export interface Frame {
  version: number;
  type: number;
  sequence: number;
  payload: Uint8Array;
}

/** HMAC-SHA256 of header and payload, given whole or as consecutive parts. */
export function computeMac(key: Uint8Array, ...headerAndPayload: Uint8Array[]): Uint8Array {
  const hmac = createHmac('sha256', key);
  for (const part of headerAndPayload) hmac.update(part);
  return hmac.digest();
}

/** One frame as bytes, MAC appended when `key` is given. */
export function encodeFrame(
  type: number,
  sequence: number,
  payload: Uint8Array,
  key?: Uint8Array,
): Uint8Array {
  const out = new Uint8Array(HEADER_BYTES + payload.length + (key ? MAC_BYTES : 0));
  out.set(payload, HEADER_BYTES);
  return sealFrame(out, type, sequence, key);
}

/**
 * Complete a frame whose payload ends in a separate buffer `tail` (sent as it is, not copied):
 * `head` holds HEADER_BYTES of room and the payload's first part. Returns the buffers to send
 * in order, the MAC last when `key` is given; together they are the bytes of the same frame
 * written in place.
 */
export function sealFrameParts(
  head: Uint8Array,
  tail: Uint8Array,
  type: number,
  sequence: number,
  key?: Uint8Array,
): Uint8Array[] {
  writeHeader(head, type, head.length - HEADER_BYTES + tail.length, sequence, key !== undefined);
  if (!key) return [head, tail];
  const mac = computeMac(key, head, tail);
  return [head, tail, new Uint8Array(mac.buffer, mac.byteOffset, mac.length)];
}

/**
 * Complete a frame written in place: `frame` holds HEADER_BYTES of room, the payload, and
 * MAC_BYTES of room at the end when `key` is given. Fills in the header and the MAC, so a
 * record is encoded into its frame once instead of being copied into it.
 */
export function sealFrame(
  frame: Uint8Array,
  type: number,
  sequence: number,
  key?: Uint8Array,
): Uint8Array {
  const macLen = key ? MAC_BYTES : 0;
  const payloadLength = frame.length - HEADER_BYTES - macLen;
  writeHeader(frame, type, payloadLength, sequence, key !== undefined);
  if (key) {
    const body = frame.subarray(0, HEADER_BYTES + payloadLength);
    frame.set(computeMac(key, body), HEADER_BYTES + payloadLength);
  }
  return frame;
}

function writeHeader(
  frame: Uint8Array,
  type: number,
  payloadLength: number,
  sequence: number,
  mac: boolean,
): void {
  const view = new DataView(frame.buffer, frame.byteOffset, HEADER_BYTES);
  view.setUint16(0, FRAME_MAGIC);
  view.setUint8(2, FRAME_VERSION);
  view.setUint8(3, type);
  view.setUint8(4, mac ? FLAG_MAC : 0);
  view.setUint8(5, 0);
  view.setUint32(6, payloadLength);
  view.setUint32(10, sequence >>> 0);
}
