/**
 * The verifiable stream app. The client opens with the hello (its seed), then
 * both sides send their direction's pattern from offset 0 while verifying
 * every byte they receive; the first mismatch is logged with its offset.
 * Output is a pure function of (seed, offset): declared regenerable for HA.
 */
import { randomInt } from 'node:crypto';
import type { AppSocket } from '../tcp/host/socket-api.ts';
import type { AppKind, ConnectionContext } from './app.ts';
import type { AppSpec } from './config.ts';
import {
  decodeHello,
  encodeHello,
  HELLO_BYTES,
  PatternVerifier,
  PatternWriter,
  type StreamDirection,
} from './stream-pattern.ts';

type StreamSpec = Extract<AppSpec, { kind: 'stream' }>;

/**
 * Bytes per write: half the socket's send buffer, within bounds. Each write is one input of the
 * TCP engine and, for an SSO connection, one replication record: large writes keep that cost
 * off the byte stream (64 KiB writes cost SSO a third more records per GiB than 256 KiB). The
 * socket asks for more once its buffer is half empty, so one write refills it (1 MiB buffer:
 * 512 KiB writes, SSO stream +4 % against 256 KiB; 2 MiB buffer: 1 MiB writes, SSO streams
 * 0.82–0.85 of non-SSO against 0.75–0.77 with 512 KiB writes).
 */
const chunkFor = (sndBuf: number): number =>
  Math.min(1024 * 1024, Math.max(64 * 1024, Math.floor(sndBuf / 2)));

/** Per-connection state, exposed for status and for HA's regeneration. */
export interface StreamConnection {
  seed: number;
  writer: PatternWriter;
  verifier: PatternVerifier;
}

export const streamApp: AppKind<StreamSpec> = {
  socketOptions: { outputRegenerable: true },
  resume(socket, ctx, state) {
    const { seed, sent, verified } = state as { seed?: number; sent?: number; verified?: number };
    if (seed === undefined || sent === undefined || verified === undefined) {
      ctx.log({ event: 'resume-refused', conn: socket.id, reason: 'no seed and offsets' });
      socket.abort();
      return;
    }
    const [send, receive]: [StreamDirection, StreamDirection] =
      ctx.role === 'client' ? ['c2s', 's2c'] : ['s2c', 'c2s'];
    start(socket, ctx, seed, send, receive, { sent, verified });
  },
  attach(socket, ctx) {
    if (ctx.role === 'client') {
      const seed = ((ctx.spec.seed ?? randomInt(0, 2 ** 32 - 1)) + ctx.index) >>> 0;
      socket.write(encodeHello(seed));
      start(socket, ctx, seed, 'c2s', 's2c');
      return;
    }
    // Server: collect the hello (it may arrive split), then start.
    let hello = new Uint8Array(0);
    const onHello = (bytes: Uint8Array): void => {
      ctx.stats.bytesIn += bytes.length;
      const all = new Uint8Array(hello.length + bytes.length);
      all.set(hello);
      all.set(bytes, hello.length);
      if (all.length < HELLO_BYTES) {
        hello = all;
        return;
      }
      socket.off('data', onHello);
      const decoded = decodeHello(all.subarray(0, HELLO_BYTES));
      if (!decoded.ok) {
        ctx.log({ event: 'bad-hello', conn: socket.id, reason: decoded.reason });
        socket.abort();
        return;
      }
      const conn = start(socket, ctx, decoded.seed, 's2c', 'c2s');
      const rest = all.subarray(HELLO_BYTES);
      if (rest.length > 0) check(socket, ctx, conn, rest);
    };
    socket.on('data', onHello);
  },
};

function start(
  socket: AppSocket,
  ctx: ConnectionContext<StreamSpec>,
  seed: number,
  send: StreamDirection,
  receive: StreamDirection,
  from: { sent: number; verified: number } = { sent: 0, verified: 0 },
): StreamConnection {
  const conn: StreamConnection = {
    seed,
    writer: new PatternWriter(seed, send, from.sent),
    verifier: new PatternVerifier(seed, receive, from.verified),
  };
  const limit = ctx.spec.bytes;
  // A resumed connection may have finished sending on the old board already.
  let finished = limit !== undefined && from.sent >= limit && from.sent > 0;
  ctx.expose(() => ({
    seed,
    role: ctx.role,
    sent: conn.writer.offset,
    verified: conn.verifier.offset,
  }));
  ctx.log({
    event: 'stream-start',
    conn: socket.id,
    seed,
    role: ctx.role,
    ...(from.sent || from.verified ? from : {}),
  });

  const finish = (): void => {
    if (finished) return;
    finished = true;
    socket.shutdown();
  };
  const chunk = chunkFor(socket.sndBuf);
  const pump = (): void => {
    while (!finished) {
      const left = limit === undefined ? chunk : Math.min(chunk, limit - conn.writer.offset);
      if (left <= 0) {
        finish();
        return;
      }
      const bytes = conn.writer.next(left);
      ctx.stats.bytesOut += bytes.length;
      if (!socket.write(bytes)) return;
    }
  };
  socket.on('data', (bytes) => {
    ctx.stats.bytesIn += bytes.length;
    check(socket, ctx, conn, bytes);
  });
  socket.on('drain', pump);
  socket.on('end', () => {
    ctx.log({
      event: 'stream-end',
      conn: socket.id,
      role: ctx.role,
      seed,
      verified: conn.verifier.offset,
      mismatch: conn.verifier.mismatch !== null,
    });
    // Unbounded senders stop when the peer stops; bounded ones finish their count.
    if (limit === undefined) finish();
  });
  pump();
  return conn;
}

function check(
  socket: AppSocket,
  ctx: ConnectionContext<StreamSpec>,
  conn: StreamConnection,
  bytes: Uint8Array,
): void {
  if (conn.verifier.mismatch) return;
  const m = conn.verifier.push(bytes);
  if (!m) return;
  ctx.stats.mismatches++;
  ctx.log({
    event: 'mismatch',
    conn: socket.id,
    seed: conn.seed,
    direction: conn.verifier.direction,
    offset: m.offset,
    expected: m.expected,
    actual: m.actual,
  });
}
