import test from 'ava';
import { HaError } from '../errors.ts';
import { FrameDecoder } from './decoder.ts';
import { sampleRecords } from './fixtures.ts';
import { encodeFrame, FRAME_MAGIC, HEADER_BYTES, RecordType } from './frame.ts';
import { decodeRecord, encodeRecordPayload, recordTypeCode } from './record-codec.ts';
import type { IpcRecord } from './records.ts';
import { BY_REFERENCE_BYTES, decodeDatagram, encodeDatagram, IpcSession } from './session.ts';

const key = new Uint8Array(32).fill(0x5a);

test('every record type round-trips through a session, with and without a key', (t) => {
  for (const k of [undefined, key]) {
    const tx = new IpcSession({ key: k });
    const rx = new IpcSession({ key: k });
    const bytes = Buffer.concat(sampleRecords.map((r) => tx.encode(r)));
    const { records, error } = rx.receive(bytes);
    t.is(error, undefined);
    t.deepEqual(records, sampleRecords);
  }
});

test('frames split at every possible byte boundary decode the same', (t) => {
  const tx = new IpcSession({ key });
  const stream = Buffer.concat(sampleRecords.slice(0, 4).map((r) => tx.encode(r)));
  for (let cut = 0; cut <= stream.length; cut += 7) {
    const rx = new IpcSession({ key });
    const a = rx.receive(stream.subarray(0, cut));
    const b = rx.receive(stream.subarray(cut));
    t.deepEqual([...a.records, ...b.records], sampleRecords.slice(0, 4));
  }
  const rx = new IpcSession({ key });
  const out = [];
  for (const byte of stream) out.push(...rx.receive(Uint8Array.of(byte)).records);
  t.deepEqual(out, sampleRecords.slice(0, 4));
});

test('a bad MAC is refused with IPC_BAD_MAC and the decoder stays failed', (t) => {
  const tx = new IpcSession({ key });
  const frame = tx.encode(sampleRecords[0]!);
  frame[HEADER_BYTES + 3]! ^= 1;
  const rx = new IpcSession({ key });
  const res = rx.receive(frame);
  t.deepEqual(res.records, []);
  t.is(res.error?.code, 'IPC_BAD_MAC');
  t.is(rx.receive(tx.encode(sampleRecords[0]!)).error?.code, 'IPC_DECODER_FAILED');
});

test('a frame made with another key is refused', (t) => {
  const other = new IpcSession({ key: new Uint8Array(32).fill(1) });
  t.is(new IpcSession({ key }).receive(other.encode(sampleRecords[0]!)).error?.code, 'IPC_BAD_MAC');
});

test('MAC missing when a key is configured, or present when none is, is refused', (t) => {
  const plain = new IpcSession().encode(sampleRecords[0]!);
  t.is(new IpcSession({ key }).receive(plain).error?.code, 'IPC_MAC_MISSING');
  const signed = new IpcSession({ key }).encode(sampleRecords[0]!);
  t.is(new IpcSession().receive(signed).error?.code, 'IPC_MAC_UNEXPECTED');
});

test('an unknown version is refused as soon as its byte arrives', (t) => {
  const frame = encodeFrame(RecordType.confirm, 0, encodeRecordPayload(sampleRecords[8]!));
  frame[2] = 1; // the layout before consumed records carried their time
  const res = new FrameDecoder().push(frame.subarray(0, 3));
  t.is(res.error?.code, 'IPC_BAD_VERSION');
  t.regex(res.error!.message, /version 1/);
});

test('bad magic, oversize length, bad sequence and unknown type are typed refusals', (t) => {
  const good = encodeFrame(RecordType.confirm, 0, encodeRecordPayload(sampleRecords[8]!));
  const magic = good.slice();
  magic[0] = 0;
  t.is(new FrameDecoder().push(magic).error?.code, 'IPC_BAD_MAGIC');
  const big = good.slice();
  new DataView(big.buffer).setUint32(6, 1 << 30);
  t.is(new FrameDecoder({ maxPayload: 1024 }).push(big).error?.code, 'IPC_FRAME_TOO_LARGE');
  t.is(
    new FrameDecoder().push(encodeFrame(RecordType.confirm, 5, new Uint8Array())).error?.code,
    'IPC_BAD_SEQUENCE',
  );
  t.is(
    new FrameDecoder().push(encodeFrame(99, 0, new Uint8Array())).error?.code,
    'IPC_UNKNOWN_TYPE',
  );
  const flags = good.slice();
  flags[4] = 0x80;
  t.is(new FrameDecoder().push(flags).error?.code, 'IPC_BAD_FLAGS');
  t.is(new DataView(good.buffer).getUint16(0), FRAME_MAGIC);
});

test('a short or padded payload is refused naming the field', (t) => {
  const payload = encodeRecordPayload(sampleRecords[2]!);
  const short = decodeRecord({
    version: 1,
    type: RecordType.log,
    sequence: 0,
    payload: payload.subarray(0, 30),
  });
  t.true(short instanceof HaError);
  t.is((short as HaError).code, 'IPC_BAD_PAYLOAD');
  const padded = new Uint8Array(payload.length + 1);
  padded.set(payload);
  const res = decodeRecord({ version: 1, type: RecordType.log, sequence: 0, payload: padded });
  t.regex((res as HaError).message, /trailing/);
});

test('datagrams carry one record, out of order allowed', (t) => {
  const hb = sampleRecords[0]!;
  t.deepEqual(decodeDatagram(encodeDatagram(hb, 77, key), { key }), hb);
  const two = Buffer.concat([encodeDatagram(hb, 1), encodeDatagram(hb, 2)]);
  t.is((decodeDatagram(two) as HaError).code, 'IPC_BAD_LENGTH');
  t.is(recordTypeCode('heartbeat'), RecordType.heartbeat);
});

test('a record framed in place is the same bytes as its payload framed apart', (t) => {
  for (const k of [undefined, key]) {
    const tx = new IpcSession({ key: k });
    sampleRecords.forEach((rec, seq) => {
      const inPlace = tx.encode(rec);
      const apart = encodeFrame(recordTypeCode(rec.type), seq, encodeRecordPayload(rec), k);
      t.deepEqual(Buffer.from(inPlace), Buffer.from(apart), rec.type);
    });
  }
});

test('socket data sent by reference: the same frame bytes, the data not copied', (t) => {
  for (const k of [undefined, key]) {
    const byRef = new IpcSession({ key: k });
    const inPlace = new IpcSession({ key: k });
    const rx = new IpcSession({ key: k });
    for (const n of [0, 100, BY_REFERENCE_BYTES - 1, BY_REFERENCE_BYTES, 70_000]) {
      const bytes = new Uint8Array(n).map((_, i) => (i * 31) & 0xff);
      const rec: IpcRecord = {
        type: 'log',
        index: n + 1,
        epoch: 2,
        entry: { kind: 'socket-data', conn: 3, direction: 'delivered', offset: 9, bytes },
      };
      const parts = byRef.encodeParts(rec);
      t.is(parts.length, n < BY_REFERENCE_BYTES ? 1 : k ? 3 : 2, `${n} bytes`);
      if (n >= BY_REFERENCE_BYTES) t.is(parts[1], bytes, 'the data buffer itself');
      t.deepEqual(Buffer.concat(parts), Buffer.from(inPlace.encode(rec)), `${n} bytes`);
      t.deepEqual(rx.receive(Buffer.concat(parts)).records, [rec]);
    }
  }
});

test('frames encoded one after another never share bytes (pooled memory)', (t) => {
  const tx = new IpcSession();
  const sizes = [10, 3000, 9000, 70_000, 1, 20_000, 500];
  const frames: { frame: Uint8Array; copy: Uint8Array }[] = [];
  for (let round = 0; round < 40; round++) {
    for (const [i, n] of sizes.entries()) {
      const bytes = new Uint8Array(n).fill((round * 7 + i) & 0xff);
      const frame = tx.encode({
        type: 'log',
        index: round * 10 + i + 1,
        epoch: 1,
        entry: { kind: 'socket-data', conn: i, direction: 'delivered', offset: 0, bytes },
      });
      frames.push({ frame, copy: frame.slice() });
    }
  }
  // Every frame still holds what it held when it was encoded (a socket may still be sending it).
  t.true(frames.every(({ frame, copy }) => Buffer.from(frame).equals(Buffer.from(copy))));
  const rx = new IpcSession();
  const { records, error } = rx.receive(Buffer.concat(frames.map((f) => f.frame)));
  t.is(error, undefined);
  t.is(records.length, frames.length);
});

test('received socket data: bulk bytes are a view of the input, a few bytes a copy of their own', (t) => {
  const tx = new IpcSession();
  const record = (index: number, n: number): IpcRecord => ({
    type: 'log',
    index,
    epoch: 1,
    entry: {
      kind: 'socket-data',
      conn: 1,
      direction: 'delivered',
      offset: 0,
      bytes: new Uint8Array(n).fill(index),
    },
  });
  const input = Buffer.concat([tx.encode(record(1, 70_000)), tx.encode(record(2, 100))]);
  const { records, error } = new IpcSession().receive(input);
  t.is(error, undefined);
  const [bulk, few] = records.map((r) =>
    r.type === 'log' && r.entry.kind === 'socket-data' ? r.entry.bytes : undefined,
  );
  t.is(bulk?.buffer, input.buffer, 'no copy of bulk data');
  t.not(few?.buffer, input.buffer, '100 bytes do not keep the 70 kB read alive');
  t.deepEqual([bulk?.length, bulk?.[0], few?.length, few?.[0]], [70_000, 1, 100, 2]);
});
