/**
 * Kernel peer for the bulk-sync benchmark, run in the LAN namespace:
 * `node --import=tsx idle-peer.fixture.ts '{"host","port","connections","parallel"}'`.
 * Opens the connections (a bounded number of handshakes at a time), prints
 * {opened} once all are established, keeps them idle until SIGTERM, then
 * prints {closed, errors} and exits. Any error on an idle socket is counted.
 */
import net from 'node:net';

interface Job {
  host: string;
  port: number;
  connections: number;
  parallel?: number;
}

const job = JSON.parse(process.argv[2] ?? '{}') as Job;
const say = (o: Record<string, unknown>): void => {
  process.stdout.write(`${JSON.stringify(o)}\n`);
};
const sockets: net.Socket[] = [];
let errors = 0;
let started = 0;
let opened = 0;
let inFlight = 0;
const t0 = Date.now();

function next(): void {
  while (inFlight < (job.parallel ?? 200) && started < job.connections) {
    started++;
    inFlight++;
    const sock = net.connect(job.port, job.host);
    sock.on('connect', () => {
      inFlight--;
      opened++;
      if (opened === job.connections) say({ opened, ms: Date.now() - t0 });
      else if (opened % 1000 === 0) say({ progress: opened });
      next();
    });
    sock.on('error', (err) => {
      errors++;
      if (errors <= 5) say({ socketError: err.message });
    });
    sock.on('data', () => {});
    sockets.push(sock);
  }
}

process.on('SIGTERM', () => {
  for (const s of sockets) s.destroy();
  say({ closed: sockets.length, errors });
  process.exit(0);
});
next();
