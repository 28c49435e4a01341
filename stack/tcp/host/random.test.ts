/**
 * Seeded random workloads through the socket layer over two engines and a
 * lossy, reordering wire: several connections, random write sizes, pauses,
 * reads and half-closes from both ends; every byte arrives, in order, and
 * every socket closes without error. The seed is printed on failure.
 */
import { createHash } from 'node:crypto';
import test from 'ava';
import { Prng } from '../../link/prng.ts';
import { hostPair } from './pair.ts';
import type { AppSocket } from './socket-api.ts';

interface End {
  socket: AppSocket;
  toSend: number;
  sent: ReturnType<typeof createHash>;
  got: ReturnType<typeof createHash>;
  gotBytes: number;
  ended: boolean;
  closed: boolean;
  error?: string;
}

function drive(end: End, rng: Prng, stream: number): void {
  let offset = 0;
  const s = end.socket;
  const pump = (): void => {
    while (offset < end.toSend) {
      const n = Math.min(end.toSend - offset, 1 + rng.below(40_000));
      const chunk = new Uint8Array(n);
      for (let i = 0; i < n; i++) chunk[i] = (offset + i) * 31 + stream;
      end.sent.update(chunk);
      offset += n;
      if (!s.write(chunk)) return;
    }
    s.shutdown();
  };
  s.on('drain', pump);
  s.on('data', (d) => {
    end.got.update(d);
    end.gotBytes += d.length;
    if (rng.chance(0.02)) {
      s.pause();
      setPause(() => s.resume());
    }
  });
  s.on('end', () => {
    end.ended = true;
  });
  s.on('error', (e) => {
    end.error = e.code;
  });
  s.on('close', () => {
    end.closed = true;
  });
  pump();
}

// Resumes scheduled in virtual time by the test loop.
let pauses: (() => void)[] = [];
function setPause(fn: () => void): void {
  pauses.push(fn);
}

for (const seed of [1, 2, 3]) {
  test(`seed ${seed}: 4 connections, random writes and pauses, 2 % loss and jitter`, (t) => {
    const rng = new Prng(seed);
    const wire = new Prng(seed * 7919);
    const p = hostPair({
      drop: () => wire.chance(0.02),
      delay: () => 1 + wire.below(6),
      engine: { rtoMinMs: 50, rcvBuf: 64 * 1024, sndBuf: 64 * 1024 },
    });
    pauses = [];
    const ends: End[] = [];
    const mk = (socket: AppSocket): End => ({
      socket,
      toSend: rng.below(600_000),
      sent: createHash('sha256'),
      got: createHash('sha256'),
      gotBytes: 0,
      ended: false,
      closed: false,
    });
    const servers: End[] = [];
    p.a.listen(80, {}, (s) => {
      const e = mk(s);
      servers.push(e);
      drive(e, rng, 100 + servers.length);
    });
    const clients: End[] = [];
    for (let i = 0; i < 4; i++) {
      const c = mk(p.b.connect({ host: p.addrA, port: 80 }));
      clients.push(c);
      c.socket.on('connect', () => drive(c, rng, i));
    }
    ends.push(...clients);
    const ok = p.runUntil(() => {
      if (pauses.length > 0 && rng.chance(0.05)) pauses.shift()!();
      return servers.length === 4 && [...clients, ...servers].every((e) => e.closed);
    }, 600_000);
    t.true(ok, `seed ${seed}: every socket closed`);
    const total = [...clients, ...servers].reduce((n, e) => n + e.toSend, 0);
    t.log(`seed ${seed}: ${total} bytes in ${p.clock.now() - 1000} ms of virtual time`);
    // Match each client with the server socket of the same connection by port.
    for (const c of clients) {
      const s = servers.find((x) => x.socket.remotePort === c.socket.localPort)!;
      t.truthy(s, `seed ${seed}: server side of ${c.socket.localPort}`);
      t.is(c.error, undefined, `seed ${seed}`);
      t.is(s.error, undefined, `seed ${seed}`);
      t.true(c.ended && s.ended, `seed ${seed}: both saw EOF`);
      t.is(s.gotBytes, c.toSend, `seed ${seed}: client → server bytes`);
      t.is(c.gotBytes, s.toSend, `seed ${seed}: server → client bytes`);
      t.is(s.got.digest('hex'), c.sent.digest('hex'), `seed ${seed}: client → server content`);
      t.is(c.got.digest('hex'), s.sent.digest('hex'), `seed ${seed}: server → client content`);
    }
  });
}
