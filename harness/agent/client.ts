/**
 * One kernel TCP connection of the peer agent to the chassis: the verifiable
 * stream (both directions, every byte checked) or echo round trips (each
 * reply checked against what was sent, round-trip times kept). Everything it
 * notices becomes an agent event; nothing it sees is ignored.
 */
import { connect, type Socket } from 'node:net';
import {
  encodeHello,
  PatternVerifier,
  PatternWriter,
  patternBytes,
} from '../../stack/apps/stream-pattern.ts';
import type { AgentErrorKind, AgentEvent } from './events.ts';
import { Pacer } from './pacer.ts';

export interface ClientOptions {
  conn: number;
  app: 'stream' | 'echo';
  host: string;
  port: number;
  seed: number;
  /** Bytes per second each way. */
  rate: number;
  direction: 'both' | 'to-chassis' | 'from-chassis';
  stallMs: number;
  connectTimeoutMs: number;
  /** After an error, open a fresh connection after this long (0: never). */
  reconnectMs: number;
  emit: (event: AgentEvent) => void;
  now: () => number;
}

const ECHO_MESSAGE = 1024;
const ECHO_PIPELINE = 8;
const WRITE_QUEUE_LIMIT = 256 * 1024;

function errorKind(err: NodeJS.ErrnoException, connected: boolean): AgentErrorKind {
  if (!connected) return 'connect-failed';
  if (err.code === 'ECONNRESET') return 'reset';
  if (err.code === 'EPIPE') return 'broken-pipe';
  if (err.code === 'ETIMEDOUT') return 'timeout';
  return 'unexpected-close';
}

export class AgentClient {
  sent = 0;
  verified = 0;
  errors = 0;
  maxStallMs = 0;
  readonly rtts: number[] = [];
  private socket: Socket | undefined;
  private connected = false;
  private stopping = false;
  private lastProgress: number;
  private stalledSince: number | undefined;
  private readonly txPacer: Pacer;
  private readonly rxPacer: Pacer;
  private writer!: PatternWriter;
  private verifier!: PatternVerifier;
  /** Connections opened so far; a reconnect gets a fresh seed from it. */
  private attempt = 0;
  private seed = 0;
  /** Echo: send times of messages awaiting their reply, oldest first. */
  private readonly inFlight: number[] = [];

  constructor(private readonly o: ClientOptions) {
    const now = o.now();
    this.lastProgress = now;
    const slow = o.rate / 10;
    this.txPacer = new Pacer(o.direction === 'from-chassis' ? 0 : o.rate, now);
    this.rxPacer = new Pacer(o.direction === 'to-chassis' ? slow : o.rate, now);
    this.resetStreams();
  }

  /** Fresh pattern state for a new connection (the seed differs per attempt). */
  private resetStreams(): void {
    // Distinct seeds keep a reconnected stream from matching the old one by chance.
    this.seed = (this.o.seed + this.attempt * 0x10000) >>> 0;
    this.writer = new PatternWriter(this.seed, 'c2s');
    // The echo app sends back exactly what it got: the c2s pattern.
    this.verifier = new PatternVerifier(this.seed, this.o.app === 'stream' ? 's2c' : 'c2s');
    this.echoVerified = 0;
    this.inFlight.length = 0;
  }

  private echoVerified = 0;

  start(): void {
    const s = connect({ host: this.o.host, port: this.o.port, noDelay: this.o.app === 'echo' });
    this.socket = s;
    this.connected = false;
    const timer = setTimeout(() => {
      if (!this.connected)
        s.destroy(Object.assign(new Error('connect timed out'), { code: 'ETIMEDOUT' }));
    }, this.o.connectTimeoutMs);
    s.on('connect', () => {
      clearTimeout(timer);
      this.connected = true;
      this.lastProgress = this.o.now();
      this.o.emit({
        ts: this.o.now(),
        event: 'connect',
        conn: this.o.conn,
        app: this.o.app,
        local: `${s.localAddress}:${s.localPort}`,
        remote: `${s.remoteAddress}:${s.remotePort}`,
        seed: this.seed,
        attempt: this.attempt,
      });
      if (this.o.app === 'stream') s.write(encodeHello(this.seed));
    });
    s.on('data', (chunk: Buffer) => {
      if (this.socket === s) this.onData(chunk);
    });
    // Linux reports a RST that arrives while data waits unread as end of
    // stream, then fails the automatic FIN Node sends back: so an end is
    // judged only at close, once any such error has been seen.
    let ended = false;
    s.on('end', () => {
      ended = true;
    });
    s.on('error', (err: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      if (!this.stopping && this.socket === s) {
        const afterReset = ended && ['ECONNRESET', 'EPIPE', 'ENOTCONN'].includes(err.code ?? '');
        const kind = afterReset ? 'reset' : errorKind(err, this.connected);
        this.fail(kind, `${err.code ?? ''} ${err.message}`.trim());
      }
    });
    s.on('close', () => {
      if (ended && !this.stopping && this.socket === s) {
        this.fail('unexpected-close', 'the chassis closed the connection (FIN)');
      }
    });
    s.on('close', () => clearTimeout(timer));
  }

  /** Called every few milliseconds: pace sending and reading, watch for stalls. */
  tick(now: number): void {
    const s = this.socket;
    if (!s || !this.connected || this.stopping || s.destroyed || s.readableEnded) return;
    if (this.o.app === 'stream') this.pumpStream(s, now);
    else this.pumpEcho(s, now);
    if (this.rxPacer.available(now) > 0 && s.isPaused()) {
      s.resume();
      // Time spent paused by our own pacer is not the chassis's stall: a read
      // can bring up to 64 KiB, and refilling the bucket for it takes a while.
      if (this.stalledSince === undefined) this.lastProgress = now;
    }
    const waiting = !s.isPaused() && (this.o.app === 'echo' ? this.inFlight.length > 0 : true);
    if (waiting && now - this.lastProgress > this.o.stallMs && this.stalledSince === undefined) {
      this.stalledSince = this.lastProgress;
    }
  }

  stop(): void {
    this.stopping = true;
    this.socket?.end();
    setTimeout(() => this.socket?.destroy(), 1000).unref();
  }

  private pumpStream(s: Socket, now: number): void {
    const budget = this.txPacer.available(now);
    const room = WRITE_QUEUE_LIMIT - s.writableLength;
    const n = Math.min(budget, room, 64 * 1024);
    if (n <= 0) return;
    s.write(this.writer.next(n));
    this.txPacer.take(n);
    this.sent += n;
  }

  private pumpEcho(s: Socket, now: number): void {
    while (this.inFlight.length < ECHO_PIPELINE && this.txPacer.available(now) >= ECHO_MESSAGE) {
      s.write(this.writer.next(ECHO_MESSAGE));
      this.txPacer.take(ECHO_MESSAGE);
      this.sent += ECHO_MESSAGE;
      this.inFlight.push(now);
    }
  }

  private onData(chunk: Buffer): void {
    const now = this.o.now();
    const mismatch = this.verifier.push(chunk);
    if (mismatch) {
      this.fail(
        'mismatch',
        `byte ${mismatch.offset}: expected 0x${mismatch.expected.toString(16)}, got 0x${mismatch.actual.toString(16)}`,
      );
      return;
    }
    if (this.o.app === 'echo') {
      const before = Math.floor(this.echoVerified / ECHO_MESSAGE);
      this.echoVerified += chunk.length;
      const after = Math.floor(this.echoVerified / ECHO_MESSAGE);
      for (let i = before; i < after; i++) {
        const sentAt = this.inFlight.shift();
        if (sentAt !== undefined) this.rtts.push(now - sentAt);
      }
    }
    this.verified += chunk.length;
    this.progress(now);
    this.rxPacer.take(chunk.length);
    if (this.rxPacer.available(now) <= 0) this.socket?.pause();
  }

  private progress(now: number): void {
    if (this.stalledSince !== undefined) {
      const ms = now - this.stalledSince;
      this.maxStallMs = Math.max(this.maxStallMs, ms);
      this.o.emit({ ts: now, event: 'stall', conn: this.o.conn, ms, since: this.stalledSince });
      this.stalledSince = undefined;
    }
    this.lastProgress = now;
  }

  /**
   * Report the error, drop the connection, and (if asked) open a new one, so
   * one drop does not leave every later fault of a campaign without traffic.
   */
  private fail(error: AgentErrorKind, detail: string): void {
    this.errors++;
    this.o.emit({ ts: this.o.now(), event: 'error', conn: this.o.conn, error, detail });
    const old = this.socket;
    this.socket = undefined;
    this.connected = false;
    this.stalledSince = undefined;
    old?.destroy();
    if (this.o.reconnectMs <= 0 || this.stopping) return;
    setTimeout(() => {
      if (this.stopping) return;
      this.attempt++;
      this.resetStreams();
      this.lastProgress = this.o.now();
      this.start();
    }, this.o.reconnectMs).unref();
  }

  /** The longest stall so far, counting one still under way. */
  stallNow(now: number): number {
    const open = this.stalledSince === undefined ? 0 : now - this.stalledSince;
    return Math.max(this.maxStallMs, open);
  }
}

/** Bytes the echo server should return for message i (for tests and tools). */
export function echoMessage(seed: number, index: number): Uint8Array {
  return patternBytes(seed, 'c2s', index * ECHO_MESSAGE, ECHO_MESSAGE);
}
