/**
 * The kernel side of the interop tests and benchmark, run inside a namespace
 * (`ip netns exec NS node --import=tsx kernel-peer.fixture.ts '<json>'`).
 * Uses Linux TCP through node:net; prints JSON lines: {listening} once a
 * server is ready, then one {result} (or {error}) and exits.
 */
import { createHash, randomBytes } from 'node:crypto';
import net from 'node:net';
import {
  decodeHello,
  encodeHello,
  HELLO_BYTES,
  PatternVerifier,
  PatternWriter,
  type StreamDirection,
} from '../../apps/stream-pattern.ts';
import { type BenchJob, runBenchJob } from './kernel-bench-jobs.ts';

export type PeerJob =
  /** Send `bytes` random bytes to an echo server, half-close, hash what comes back. */
  | { job: 'echo'; host: string; port: number; bytes: number }
  /** Stream clients: hello + c2s pattern (`bytes`, then half-close), verify s2c until EOF. */
  | {
      job: 'stream-client';
      host: string;
      port: number;
      bytes: number;
      seed: number;
      connections?: number;
      /** Stop reading for pauseMs once this many bytes have arrived (first connection). */
      pauseAfter?: number;
      pauseMs?: number;
      /** Read paced like the agent (token bucket, 100 ms burst, pause when empty) and write `bytes` at the same rate. */
      paceKbps?: number;
    }
  /** Stream server for `connections` clients: verify c2s, send `bytes` of s2c, half-close. */
  | { job: 'stream-server'; port: number; bytes: number; connections?: number }
  /** Connect and report how it ends: refused, or reset after sending `send`; `reset`: we reset it. */
  | { job: 'probe'; host: string; port: number; send?: string; reset?: boolean }
  /** The benchmark's jobs. */
  | BenchJob;

const say = (o: Record<string, unknown>): void => {
  process.stdout.write(`${JSON.stringify(o)}\n`);
};

const CHUNK = 256 * 1024;

export interface StreamResult {
  seed: number;
  sent: number;
  verified: number;
  mismatch: unknown;
  eof: boolean;
  error?: string;
  /** Paced reading: the longest wait from resuming the socket to the next data. */
  maxResumeWaitMs?: number;
  /** Paced reading: the largest single read and the longest time between reads. */
  maxChunk?: number;
  maxDataGapMs?: number;
}

/** Drive one stream connection (either role) after the hello is settled. */
function streamBoth(
  sock: net.Socket,
  seed: number,
  send: StreamDirection,
  bytes: number,
  onDone: (r: StreamResult) => void,
  firstChunk?: Uint8Array,
  pause?: { after: number; ms: number },
  paceKbps?: number,
): void {
  const writer = new PatternWriter(seed, send);
  const verifier = new PatternVerifier(seed, send === 'c2s' ? 's2c' : 'c2s');
  const r: StreamResult = { seed, sent: 0, verified: 0, mismatch: null, eof: false };
  let paused = false;
  const check = (d: Uint8Array): void => {
    if (verifier.push(d) && !r.mismatch) r.mismatch = verifier.mismatch;
    r.verified = verifier.offset;
    if (pause && !paused && r.verified >= pause.after) {
      paused = true;
      sock.pause();
      setTimeout(() => sock.resume(), pause.ms);
    }
  };
  if (firstChunk && firstChunk.length > 0) check(firstChunk);
  sock.on('data', check);
  if (paceKbps) pacedReading(sock, paceKbps, r);
  sock.on('end', () => {
    r.eof = true;
  });
  sock.on('error', (e: NodeJS.ErrnoException) => {
    r.error = e.code ?? e.message;
  });
  sock.on('close', () => onDone(r));
  const pump = (): void => {
    while (writer.offset < bytes) {
      const n = Math.min(CHUNK, bytes - writer.offset);
      const ok = sock.write(writer.next(n));
      r.sent = writer.offset;
      if (!ok) return;
    }
    sock.end();
  };
  if (paceKbps) {
    pacedWriting(sock, writer, bytes, paceKbps, r);
    return;
  }
  sock.on('drain', pump);
  pump();
}

/** Write the pattern at `kbps` (as the agent does: a chunk every 10 ms), then half-close. */
function pacedWriting(
  sock: net.Socket,
  writer: PatternWriter,
  bytes: number,
  kbps: number,
  r: StreamResult,
): void {
  const perTick = Math.max(1, Math.round((kbps * 1000) / 8 / 100));
  const ticker = setInterval(() => {
    if (sock.destroyed) return;
    const n = Math.min(perTick, bytes - writer.offset);
    if (n > 0) sock.write(writer.next(n));
    r.sent = writer.offset;
    if (writer.offset >= bytes) {
      clearInterval(ticker);
      sock.end();
    }
  }, 10);
  sock.on('close', () => clearInterval(ticker));
}

/**
 * The agent's paced reader: a token bucket (100 ms burst) refilled every 5 ms; the socket
 * pauses when it is empty, so the kernel's receive window closes and reopens.
 */
function pacedReading(sock: net.Socket, kbps: number, r: StreamResult): void {
  const rate = (kbps * 1000) / 8;
  let tokens = rate / 10;
  let last = Date.now();
  let resumedAt = -1;
  let lastData = -1;
  r.maxResumeWaitMs = 0;
  r.maxChunk = 0;
  r.maxDataGapMs = 0;
  const refill = (now: number): number => {
    tokens = Math.min(rate / 10, tokens + ((now - last) * rate) / 1000);
    last = now;
    return tokens;
  };
  sock.on('data', (d: Buffer) => {
    const now = Date.now();
    if (resumedAt >= 0) r.maxResumeWaitMs = Math.max(r.maxResumeWaitMs ?? 0, now - resumedAt);
    resumedAt = -1;
    if (lastData >= 0) r.maxDataGapMs = Math.max(r.maxDataGapMs ?? 0, now - lastData);
    lastData = now;
    r.maxChunk = Math.max(r.maxChunk ?? 0, d.length);
    tokens -= d.length;
    if (refill(now) <= 0) sock.pause();
  });
  const ticker = setInterval(() => {
    const now = Date.now();
    if (sock.isPaused() && refill(now) > 0) {
      resumedAt = now;
      sock.resume();
    }
  }, 5);
  sock.on('close', () => clearInterval(ticker));
}

function runJob(job: PeerJob): Promise<unknown> {
  switch (job.job) {
    case 'echo':
      return new Promise((resolve) => {
        const sentHash = createHash('sha256');
        const gotHash = createHash('sha256');
        const r = { sent: 0, received: 0, eof: false, error: undefined as string | undefined };
        const sock = net.connect(job.port, job.host);
        sock.on('data', (d) => {
          gotHash.update(d);
          r.received += d.length;
        });
        sock.on('end', () => {
          r.eof = true;
        });
        sock.on('error', (e: NodeJS.ErrnoException) => {
          r.error = e.code ?? e.message;
        });
        sock.on('close', () =>
          resolve({ ...r, sentSha: sentHash.digest('hex'), receivedSha: gotHash.digest('hex') }),
        );
        const pump = (): void => {
          while (r.sent < job.bytes) {
            const b = randomBytes(Math.min(CHUNK, job.bytes - r.sent));
            sentHash.update(b);
            r.sent += b.length;
            if (!sock.write(b)) return;
          }
          sock.end();
        };
        sock.on('connect', pump);
        sock.on('drain', pump);
      });
    case 'stream-client': {
      const n = job.connections ?? 1;
      const runs: Promise<StreamResult>[] = [];
      for (let i = 0; i < n; i++) {
        runs.push(
          new Promise((resolve) => {
            const seed = (job.seed + i) >>> 0;
            // Half-open allowed: an EOF from the stack must not end our sending.
            const sock = net.connect({ port: job.port, host: job.host, allowHalfOpen: true });
            let started = false;
            sock.on('error', (e: NodeJS.ErrnoException) => {
              if (!started)
                resolve({ seed, sent: 0, verified: 0, mismatch: null, eof: false, error: e.code });
            });
            sock.on('connect', () => {
              started = true;
              sock.write(encodeHello(seed));
              const pause =
                i === 0 && job.pauseAfter !== undefined
                  ? { after: job.pauseAfter, ms: job.pauseMs ?? 3000 }
                  : undefined;
              streamBoth(sock, seed, 'c2s', job.bytes, resolve, undefined, pause, job.paceKbps);
            });
          }),
        );
      }
      return Promise.all(runs);
    }
    case 'stream-server':
      return new Promise((resolve) => {
        const results: StreamResult[] = [];
        const want = job.connections ?? 1;
        const server = net.createServer({ allowHalfOpen: true }, (sock) => {
          let hello = Buffer.alloc(0);
          const onHello = (d: Buffer): void => {
            hello = Buffer.concat([hello, d]);
            if (hello.length < HELLO_BYTES) return;
            sock.off('data', onHello);
            const h = decodeHello(hello);
            if (!h.ok) {
              sock.destroy();
              return;
            }
            streamBoth(
              sock,
              h.seed,
              's2c',
              job.bytes,
              (r) => {
                results.push(r);
                if (results.length === want) {
                  server.close();
                  resolve(results);
                }
              },
              hello.subarray(HELLO_BYTES),
            );
          };
          sock.on('data', onHello);
        });
        server.listen(job.port, () => say({ listening: job.port }));
      });
    case 'probe':
      return new Promise((resolve) => {
        const sock = net.connect(job.port, job.host);
        let connected = false;
        let eof = false;
        sock.on('connect', () => {
          connected = true;
          if (job.send) sock.write(job.send);
          if (job.reset) setTimeout(() => sock.resetAndDestroy(), 200);
        });
        sock.on('data', () => {});
        sock.on('end', () => {
          eof = true;
        });
        sock.on('error', (e: NodeJS.ErrnoException) => resolve({ connected, eof, error: e.code }));
        sock.on('close', () => resolve({ connected, eof, error: null }));
      });
    default:
      return runBenchJob(job, say);
  }
}

const job = JSON.parse(process.argv[2] ?? '{}') as PeerJob;
runJob(job).then(
  (result) => {
    say({ result });
    process.exit(0);
  },
  (err: Error) => {
    say({ error: err.message });
    process.exit(1);
  },
);
