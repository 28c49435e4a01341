/**
 * Kernel peer jobs of the benchmark (see kernel-peer.fixture.ts): plain Linux
 * TCP sources, sinks and echo round trips, no verification on the hot path.
 */
import { randomBytes } from 'node:crypto';
import net from 'node:net';
import { encodeHello } from '../../apps/stream-pattern.ts';

export type BenchJob =
  /** Listen and count what one connection sends, then report and exit. */
  | { job: 'sink'; port: number }
  /** Connect and send `bytes` (one random buffer, reused). */
  | { job: 'source'; host: string; port: number; bytes: number }
  /** Say hello to a stream server, count (not verify) what it sends until EOF. */
  | { job: 'pull'; host: string; port: number; seed: number }
  /** Echo round trips of `size` bytes, one at a time; latencies in µs. */
  | { job: 'rtt'; host: string; port: number; count: number; size: number }
  | { job: 'echo-server'; port: number };

const CHUNK = 256 * 1024;

/** CPU time (user + system, kernel work in its syscalls included) since `from`, in ms. */
function cpuMsSince(from: NodeJS.CpuUsage): number {
  const d = process.cpuUsage(from);
  return (d.user + d.system) / 1000;
}

export function runBenchJob(
  job: BenchJob,
  say: (o: Record<string, unknown>) => void,
): Promise<unknown> {
  switch (job.job) {
    case 'sink':
      return new Promise(() => {
        const server = net.createServer((sock) => {
          let n = 0;
          const t0 = process.hrtime.bigint();
          const cpu0 = process.cpuUsage();
          sock.on('data', (d) => {
            n += d.length;
          });
          sock.on('end', () => {
            const ms = Number(process.hrtime.bigint() - t0) / 1e6;
            say({ result: { received: n, ms, cpuMs: cpuMsSince(cpu0) } });
            sock.end();
            server.close();
            setImmediate(() => process.exit(0));
          });
        });
        server.listen(job.port, () => say({ listening: job.port }));
      });
    case 'pull':
      return new Promise((resolve, reject) => {
        const sock = net.connect(job.port, job.host);
        let n = 0;
        let t0 = 0n;
        sock.on('connect', () => {
          t0 = process.hrtime.bigint();
          sock.write(encodeHello(job.seed));
        });
        sock.on('data', (d) => {
          n += d.length;
        });
        sock.on('error', reject);
        sock.on('close', () =>
          resolve({ received: n, ms: Number(process.hrtime.bigint() - t0) / 1e6 }),
        );
      });
    case 'source':
      return new Promise((resolve, reject) => {
        const sock = net.connect(job.port, job.host);
        const buf = randomBytes(CHUNK);
        let sent = 0;
        let t0 = 0n;
        let cpu0 = process.cpuUsage();
        const pump = (): void => {
          while (sent < job.bytes) {
            const n = Math.min(CHUNK, job.bytes - sent);
            sent += n;
            if (!sock.write(n === CHUNK ? buf : buf.subarray(0, n))) return;
          }
          sock.end();
        };
        sock.on('connect', () => {
          t0 = process.hrtime.bigint();
          cpu0 = process.cpuUsage();
          pump();
        });
        sock.on('drain', pump);
        sock.on('data', () => {});
        sock.on('error', reject);
        sock.on('close', () =>
          resolve({
            sent,
            ms: Number(process.hrtime.bigint() - t0) / 1e6,
            cpuMs: cpuMsSince(cpu0),
          }),
        );
      });
    case 'rtt':
      return new Promise((resolve, reject) => {
        const sock = net.connect(job.port, job.host);
        sock.setNoDelay(true);
        const msg = randomBytes(job.size);
        const us: number[] = [];
        let got = 0;
        let t0 = 0n;
        const once = (): void => {
          got = 0;
          t0 = process.hrtime.bigint();
          sock.write(msg);
        };
        sock.on('connect', once);
        sock.on('data', (d) => {
          got += d.length;
          if (got < job.size) return;
          us.push(Number(process.hrtime.bigint() - t0) / 1000);
          if (us.length < job.count) once();
          else sock.end();
        });
        sock.on('error', reject);
        sock.on('close', () => resolve({ us }));
      });
    case 'echo-server':
      return new Promise(() => {
        const server = net.createServer((sock) => {
          sock.setNoDelay(true);
          sock.pipe(sock);
        });
        server.listen(job.port, () => say({ listening: job.port }));
      });
  }
}
