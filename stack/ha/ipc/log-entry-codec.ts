/**
 * Payload codec of log entries (TCP record, socket data, consumed, snapshot, closed, app state).
 */
import type { TcbDigest } from '../../tcp/api.ts';
import { type ByteReader, type ByteWriter, enumCode } from './bytes.ts';
import {
  CLOSE_REASONS,
  type LogEntry,
  type SegmentHeader,
  TCP_EVENT_KINDS,
  type TcpVars,
} from './records.ts';

const ENTRY_KINDS = ['tcp', 'socket-data', 'snapshot', 'closed', 'app', 'consumed'] as const;
const DIRECTIONS = ['delivered', 'written'] as const;

/** Sequence numbers, windows and RTO: unsigned 32-bit. */
const U32_VARS = [
  'sndUna',
  'sndNxt',
  'sndWnd',
  'rcvNxt',
  'rcvWnd',
  'cwnd',
  'ssthresh',
  'rto',
] as const;
/** Absolute deadlines in ms (-1 when not armed): may exceed 32 bits. */
const DEADLINE_VARS = [
  'rtxDeadline',
  'persistDeadline',
  'ackDeadline',
  'keepaliveDeadline',
  'timeWaitDeadline',
] as const;
// Compile-time check that the lists above cover the engine's digest exactly.
type Covered = 'state' | (typeof U32_VARS)[number] | (typeof DEADLINE_VARS)[number];
const digestCovered: Exclude<keyof TcbDigest, Covered> extends never ? true : false = true;
void digestCovered;

function writeVars(w: ByteWriter, v: TcpVars): void {
  w.u8(v.state);
  for (const k of U32_VARS) w.u32(v[k]);
  for (const k of DEADLINE_VARS) w.f64(v[k]);
}

function readVars(r: ByteReader): TcpVars {
  const state = r.u8('vars.state');
  if (state > 10) r.fail('vars.state', `unknown TCP state ${state}`);
  // Written out (not looped) so every record gets the same object shape, cheaply.
  return {
    state: state as TcpVars['state'],
    sndUna: r.u32('vars.sndUna'),
    sndNxt: r.u32('vars.sndNxt'),
    sndWnd: r.u32('vars.sndWnd'),
    rcvNxt: r.u32('vars.rcvNxt'),
    rcvWnd: r.u32('vars.rcvWnd'),
    cwnd: r.u32('vars.cwnd'),
    ssthresh: r.u32('vars.ssthresh'),
    rto: r.u32('vars.rto'),
    rtxDeadline: r.f64('vars.rtxDeadline'),
    persistDeadline: r.f64('vars.persistDeadline'),
    ackDeadline: r.f64('vars.ackDeadline'),
    keepaliveDeadline: r.f64('vars.keepaliveDeadline'),
    timeWaitDeadline: r.f64('vars.timeWaitDeadline'),
  };
}

function writeHeader(w: ByteWriter, h: SegmentHeader): void {
  w.u32(h.seq).u32(h.ack).u8(h.flags).u32(h.window).u32(h.length);
}

function readHeader(r: ByteReader): SegmentHeader {
  return {
    seq: r.u32('header.seq'),
    ack: r.u32('header.ack'),
    flags: r.u8('header.flags'),
    window: r.u32('header.window'),
    length: r.u32('header.length'),
  };
}

/**
 * `dataByReference`: a socket-data entry's bytes are left out after their length prefix (the
 * caller sends them as a buffer of their own right after: session.ts encodeParts).
 */
export function writeLogEntry(w: ByteWriter, e: LogEntry, dataByReference = false): void {
  w.u8(enumCode(ENTRY_KINDS, e.kind)).u32(e.conn);
  switch (e.kind) {
    case 'tcp':
      w.u8(enumCode(TCP_EVENT_KINDS, e.event))
        .f64(e.at)
        .u8(e.header ? 1 : 0);
      if (e.header) writeHeader(w, e.header);
      writeVars(w, e.vars);
      w.bytes(e.detail);
      return;
    case 'socket-data':
      w.u8(enumCode(DIRECTIONS, e.direction)).u64(e.offset);
      if (dataByReference) w.u32(e.bytes.length);
      else w.bytes(e.bytes);
      return;
    case 'consumed':
      w.u64(e.offset).u32(e.length).f64(e.at);
      return;
    case 'snapshot':
      w.f64(e.at).bytes(e.snapshot);
      return;
    case 'closed':
      w.f64(e.at).u8(enumCode(CLOSE_REASONS, e.reason));
      return;
    case 'app':
      w.bytes(e.data);
      return;
  }
}

export function readLogEntry(r: ByteReader): LogEntry {
  const kind = r.enumOf('entry.kind', ENTRY_KINDS);
  const conn = r.u32('entry.conn');
  switch (kind) {
    case 'tcp': {
      const event = r.enumOf('tcp.event', TCP_EVENT_KINDS);
      const at = r.f64('tcp.at');
      const hasHeader = r.u8('tcp.hasHeader');
      if (hasHeader > 1) r.fail('tcp.hasHeader', `not a boolean (${hasHeader})`);
      const header = hasHeader ? readHeader(r) : undefined;
      const vars = readVars(r);
      const detail = r.bytes('tcp.detail');
      return header
        ? { kind, conn, event, at, header, vars, detail }
        : { kind, conn, event, at, vars, detail };
    }
    case 'socket-data':
      return {
        kind,
        conn,
        direction: r.enumOf('socket-data.direction', DIRECTIONS),
        offset: r.u64('socket-data.offset'),
        bytes: r.bulkBytes('socket-data.bytes'),
      };
    case 'consumed':
      return {
        kind,
        conn,
        offset: r.u64('consumed.offset'),
        length: r.u32('consumed.length'),
        at: r.f64('consumed.at'),
      };
    case 'snapshot':
      return { kind, conn, at: r.f64('snapshot.at'), snapshot: r.bytes('snapshot.bytes') };
    case 'closed':
      return {
        kind,
        conn,
        at: r.f64('closed.at'),
        reason: r.enumOf('closed.reason', CLOSE_REASONS),
      };
    case 'app':
      return { kind, conn, data: r.bytes('app.data') };
  }
}

/** Bytes of stream data an entry carries (for replication lag in bytes). */
export function entryDataBytes(e: LogEntry): number {
  switch (e.kind) {
    case 'socket-data':
      return e.bytes.length;
    case 'snapshot':
      return e.snapshot.length;
    case 'app':
      return e.data.length;
    default:
      return 0;
  }
}
