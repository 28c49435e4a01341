/**
 * The engine input a TCP record stands for, as the standby replays it. Segments carry no
 * bytes (socket-data records bring them to the app; the engine keeps none); a send takes its
 * bytes from the caller (mirrored, or stand-ins for a regenerable app).
 */
import type { ConnInfo, TcpInput } from '../../tcp/api.ts';
import type { TcpRecord } from '../ipc/records.ts';
import {
  decodeConnOptions,
  decodeCount,
  decodeSegmentDetail,
  decodeSendDetail,
} from './detail-codec.ts';
import { ReplicationError } from './errors.ts';

export function replayInput(
  rec: TcpRecord,
  info: ConnInfo,
  sendBytes: (offset: number, length: number) => Uint8Array,
): TcpInput {
  const now = rec.at;
  const conn = rec.conn;
  switch (rec.event) {
    case 'segment': {
      if (!rec.header)
        throw new ReplicationError('REPL_BAD_DETAIL', 'segment record without header');
      const d = decodeSegmentDetail(rec.detail);
      const h = rec.header;
      return {
        kind: 'segment',
        now,
        src: info.remoteAddr,
        dst: info.localAddr,
        segment: {
          srcPort: info.remotePort,
          dstPort: info.localPort,
          seq: h.seq,
          ack: h.ack,
          flags: h.flags,
          window: h.window,
          urgent: d.urgent,
          options: d.options,
          payload: zeroPayload(h.length),
        },
      };
    }
    case 'send': {
      const d = decodeSendDetail(rec.detail);
      return { kind: 'send', now, conn, bytes: sendBytes(d.offset, d.length) };
    }
    case 'consume':
      return { kind: 'consume', now, conn, n: decodeCount(rec.detail) };
    case 'setopt':
      return { kind: 'setopt', now, conn, opts: decodeConnOptions(rec.detail) };
    case 'resume':
      return { kind: 'resume', now, conn, discardOutOfOrder: rec.detail[0] === 1 };
    case 'shutdown':
    case 'close':
    case 'abort':
    case 'timer':
      return { kind: rec.event, now, conn };
    default:
      throw new ReplicationError('REPL_NOT_REPLAYABLE', `event ${rec.event} is not per-connection`);
  }
}

let zeros = new Uint8Array(2048);

/**
 * A stand-in payload of `length` bytes, a view of one shared zero buffer: the engine only reads
 * a payload (the replayed data output is dropped), so super-segments cost no allocation each.
 */
export function zeroPayload(length: number): Uint8Array {
  if (length > zeros.length) zeros = new Uint8Array(Math.max(length, zeros.length * 2));
  return zeros.subarray(0, length);
}
