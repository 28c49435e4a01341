/**
 * Record <-> frame payload. `decodeRecord` never throws: a malformed payload comes back as a
 * typed `HaError` naming the record type and field.
 */
import { HaError } from '../errors.ts';
import { ByteReader, ByteWriter, enumCode } from './bytes.ts';
import { type Frame, RecordType, type RecordTypeCode } from './frame.ts';
import { entryDataBytes, readLogEntry, writeLogEntry } from './log-entry-codec.ts';
import {
  type IpcRecord,
  type IpcRecordType,
  ROLES,
  SWITCHOVER_PHASES,
  SYNC_STATES,
} from './records.ts';

const TYPE_CODES: Record<IpcRecordType, RecordTypeCode> = {
  heartbeat: RecordType.heartbeat,
  hello: RecordType.hello,
  log: RecordType.log,
  confirm: RecordType.confirm,
  'bulk-begin': RecordType.bulkBegin,
  'bulk-end': RecordType.bulkEnd,
  switchover: RecordType.switchover,
  'resync-request': RecordType.resyncRequest,
};
const TYPE_NAMES = new Map<number, IpcRecordType>(
  Object.entries(TYPE_CODES).map(([name, code]) => [code, name as IpcRecordType]),
);
const NO_CONN = 0xffff_ffff;
const utf8 = new TextEncoder();
const fromUtf8 = new TextDecoder('utf-8', { fatal: true });

export function recordTypeCode(type: IpcRecordType): RecordTypeCode {
  return TYPE_CODES[type];
}

/** Bytes to reserve for a record's payload, so it is written without regrowing the buffer. */
export function payloadSizeHint(rec: IpcRecord): number {
  return rec.type === 'log' ? 192 + entryDataBytes(rec.entry) : 96;
}

export function encodeRecordPayload(rec: IpcRecord): Uint8Array {
  const w = new ByteWriter(payloadSizeHint(rec));
  writeRecordPayload(w, rec);
  return w.finish();
}

/**
 * Append a record's payload to `w` (a frame being built in place). `dataByReference`: the
 * bytes of a socket-data entry stay out, to follow as their own buffer (they are last).
 */
export function writeRecordPayload(w: ByteWriter, rec: IpcRecord, dataByReference = false): void {
  switch (rec.type) {
    case 'heartbeat':
      w.u8(rec.slot)
        .u8(enumCode(ROLES, rec.role))
        .u64(rec.epoch)
        .u8(enumCode(SYNC_STATES, rec.sync));
      w.u32(rec.counter).f64(rec.sentAt);
      // Optional trailing flags (bit 0: front link down): readers of either form accept both.
      if (rec.frontDown !== undefined) w.u8(rec.frontDown ? 1 : 0);
      break;
    case 'hello':
      w.u8(rec.slot)
        .u8(enumCode(ROLES, rec.role))
        .u64(rec.epoch)
        .u8(enumCode(SYNC_STATES, rec.sync));
      w.u64(rec.lastIndex).u8(rec.wantBulkSync ? 1 : 0);
      break;
    case 'log':
      w.u64(rec.index).u64(rec.epoch);
      writeLogEntry(w, rec.entry, dataByReference);
      break;
    case 'confirm':
      w.u64(rec.epoch).u64(rec.index);
      break;
    case 'bulk-begin':
      w.u64(rec.epoch).u64(rec.baseIndex).u32(rec.connections);
      break;
    case 'bulk-end':
      w.u64(rec.epoch).u64(rec.lastIndex);
      break;
    case 'switchover':
      w.u64(rec.epoch).u8(enumCode(SWITCHOVER_PHASES, rec.phase)).u64(rec.lastIndex);
      w.bytes(utf8.encode(rec.reason));
      break;
    case 'resync-request':
      w.u64(rec.epoch)
        .u32(rec.conn ?? NO_CONN)
        .bytes(utf8.encode(rec.reason));
      break;
  }
}

function text(r: ByteReader, field: string): string {
  try {
    return fromUtf8.decode(r.bytes(field));
  } catch (err) {
    if (err instanceof HaError) throw err;
    return r.fail(field, 'not UTF-8');
  }
}

function bool(r: ByteReader, field: string): boolean {
  const v = r.u8(field);
  if (v > 1) r.fail(field, `not a boolean (${v})`);
  return v === 1;
}

function decodeBody(type: IpcRecordType, r: ByteReader): IpcRecord {
  switch (type) {
    case 'heartbeat':
      return {
        type,
        slot: r.u8('slot'),
        role: r.enumOf('role', ROLES),
        epoch: r.u64('epoch'),
        sync: r.enumOf('sync', SYNC_STATES),
        counter: r.u32('counter'),
        sentAt: r.f64('sentAt'),
        ...(r.remaining > 0 ? { frontDown: bool(r, 'frontDown') } : {}),
      };
    case 'hello':
      return {
        type,
        slot: r.u8('slot'),
        role: r.enumOf('role', ROLES),
        epoch: r.u64('epoch'),
        sync: r.enumOf('sync', SYNC_STATES),
        lastIndex: r.u64('lastIndex'),
        wantBulkSync: bool(r, 'wantBulkSync'),
      };
    case 'log':
      return { type, index: r.u64('index'), epoch: r.u64('epoch'), entry: readLogEntry(r) };
    case 'confirm':
      return { type, epoch: r.u64('epoch'), index: r.u64('index') };
    case 'bulk-begin':
      return {
        type,
        epoch: r.u64('epoch'),
        baseIndex: r.u64('baseIndex'),
        connections: r.u32('connections'),
      };
    case 'bulk-end':
      return { type, epoch: r.u64('epoch'), lastIndex: r.u64('lastIndex') };
    case 'switchover':
      return {
        type,
        epoch: r.u64('epoch'),
        phase: r.enumOf('phase', SWITCHOVER_PHASES),
        lastIndex: r.u64('lastIndex'),
        reason: text(r, 'reason'),
      };
    case 'resync-request': {
      const epoch = r.u64('epoch');
      const conn = r.u32('conn');
      return { type, epoch, conn: conn === NO_CONN ? null : conn, reason: text(r, 'reason') };
    }
  }
}

/** The record a frame carries, or the reason it is refused. */
export function decodeRecord(frame: Frame): IpcRecord | HaError {
  const type = TYPE_NAMES.get(frame.type);
  if (!type) return new HaError('IPC_UNKNOWN_TYPE', `unknown record type ${frame.type}`);
  try {
    const r = new ByteReader(frame.payload, `${type} record (sequence ${frame.sequence})`);
    const rec = decodeBody(type, r);
    r.end();
    return rec;
  } catch (err) {
    if (err instanceof HaError) return err;
    return new HaError('IPC_BAD_PAYLOAD', `${type} record: ${(err as Error).message}`);
  }
}
