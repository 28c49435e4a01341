/**
 * A two-engine session in virtual time: `conns` connections from A to B, each side streaming
 * `bytesEach` pattern bytes, verifying every byte received, then closing. Used by the
 * simulation and determinism tests and the engine benchmark.
 */
import { MemoryLink, type MemoryLinkOptions, VirtualClock } from '../../link/index.ts';
import type { ConnId, TcpConfig } from '../api.ts';
import { DEFAULT_SND_BUF } from '../create.ts';
import { checkPattern, fillPattern } from './pattern.ts';
import { SimHost } from './sim-host.ts';

export interface SessionOptions {
  seed: number;
  conns: number;
  bytesEach: number;
  link: Omit<MemoryLinkOptions, 'scheduler' | 'seed'>;
  cfg?: Partial<Omit<TcpConfig, 'localAddr'>>;
  /** Write size per send call. */
  chunk?: number;
  /** Record every engine input. */
  record?: boolean;
  /** ISNs are chosen near 2^32 to exercise wraparound. */
  isnNearWrap?: boolean;
  /** Stop after this much virtual time (ms). */
  limitMs?: number;
  /** The receiving app reads each delivery this long after it arrives (0 = at once). */
  consumeDelayMs?: number;
  /** Clock offsets of host A and host B (ms). */
  offsets?: [number, number];
  /** Cut the cable at `at` for `forMs` virtual milliseconds. */
  partition?: { at: number; forMs: number };
  /** Called with both hosts before anything runs. */
  setup?: (a: SimHost, b: SimHost) => void;
}

interface Stream {
  seed: number;
  sent: number;
  received: number;
  finSent: boolean;
  peerFin: boolean;
  closed: boolean;
  error?: string;
}

export interface SessionResult {
  a: SimHost;
  b: SimHost;
  doneAt: number;
  complete: boolean;
  problems: string[];
  bytesDelivered: number;
  /** Keep running the simulation up to virtual time `to`. */
  advance(to: number): void;
}

export const ADDR_A = 0xc6120001; // 198.18.0.1
export const ADDR_B = 0xc6120002; // 198.18.0.2

export function runSession(o: SessionOptions): SessionResult {
  const clock = new VirtualClock();
  const [la, lb] = MemoryLink.pair({ ...o.link, seed: o.seed, scheduler: clock });
  const base = { isnSecret: new Uint8Array([o.seed & 0xff, 1, 2, 3]), ...o.cfg };
  const a = new SimHost(ADDR_A, la, clock, base);
  const b = new SimHost(ADDR_B, lb, clock, {
    ...base,
    isnSecret: new Uint8Array([9, 8, 7, o.seed & 0xff]),
  });
  a.record = b.record = o.record ?? false;
  a.offset = o.offsets?.[0] ?? 0;
  b.offset = o.offsets?.[1] ?? 0;
  o.setup?.(a, b);
  const chunk = o.chunk ?? 16384;
  const problems: string[] = [];
  const streams = new Map<string, Stream>();
  let delivered = 0;
  const key = (h: SimHost, c: ConnId) => `${h === a ? 'a' : 'b'}${c}`;

  function pump(h: SimHost, c: ConnId): void {
    const s = streams.get(key(h, c))!;
    for (;;) {
      const info = h.engine.info(c);
      if (!info || s.finSent) return;
      if (s.sent >= o.bytesEach) {
        s.finSent = true;
        h.handle({ kind: 'shutdown', now: h.now(), conn: c });
        return;
      }
      if (info.sendQueued >= (o.cfg?.sndBuf ?? DEFAULT_SND_BUF)) return;
      const n = Math.min(chunk, o.bytesEach - s.sent);
      const bytes = fillPattern(s.seed, s.sent, new Uint8Array(n));
      s.sent += n;
      h.handle({ kind: 'send', now: h.now(), conn: c, bytes });
    }
  }

  function hooks(h: SimHost) {
    h.hooks = {
      onData(c, bytes) {
        const s = streams.get(key(h, c));
        if (!s) return problems.push(`${key(h, c)}: data for unknown stream`);
        const bad = checkPattern(s.seed ^ 0x5555, s.received, bytes);
        if (bad >= 0) problems.push(`${key(h, c)}: mismatch at offset ${bad}`);
        s.received += bytes.length;
        delivered += bytes.length;
        const consume = () => {
          if (h.engine.info(c))
            h.handle({ kind: 'consume', now: h.now(), conn: c, n: bytes.length });
        };
        if (o.consumeDelayMs) clock.at(clock.now() + o.consumeDelayMs, consume);
        else queueMicro(consume);
      },
      onEvent(e) {
        if (e.event === 'accepted' || e.event === 'established') {
          // Each side sends with seed = port pair; the other verifies with seed ^ 0x5555.
          const info = h.engine.info(e.conn)!;
          const sd = h === a ? info.localPort : info.remotePort;
          streams.set(key(h, e.conn), {
            seed: h === a ? sd : sd ^ 0x5555,
            sent: 0,
            received: 0,
            finSent: false,
            peerFin: false,
            closed: false,
          });
          // A's streams use seed sd, B verifies with sd ^ 0x5555 ^ 0x5555... keep symmetric:
          if (h === b) streams.get(key(h, e.conn))!.seed = sd ^ 0x5555;
          queueMicro(() => pump(h, e.conn));
        } else if (e.event === 'drain') {
          queueMicro(() => pump(h, e.conn));
        } else if (e.event === 'peer-fin') {
          const s = streams.get(key(h, e.conn))!;
          s.peerFin = true;
          if (s.received !== o.bytesEach)
            problems.push(`${key(h, e.conn)}: EOF after ${s.received}`);
        } else if (e.event === 'closed') {
          const s = streams.get(key(h, e.conn));
          if (s) {
            s.closed = true;
            if (e.error) s.error = e.error;
          }
          if (e.error) problems.push(`${key(h, e.conn)}: closed with ${e.error}`);
        }
      },
    };
  }
  // Deferred app actions run after the current engine call returns (never re-entrantly).
  const micro: (() => void)[] = [];
  function queueMicro(fn: () => void): void {
    micro.push(fn);
    clock.at(clock.now(), () => {
      const f = micro.shift();
      f?.();
    });
  }
  hooks(a);
  hooks(b);

  if (o.partition) {
    const p = o.partition;
    clock.at(p.at, () => la.setConnected(false));
    clock.at(p.at + p.forMs, () => la.setConnected(true));
  }
  b.handle({ kind: 'listen', now: b.now(), port: 5001, backlog: o.conns + 4 });
  for (let i = 0; i < o.conns; i++) {
    const isn = o.isnNearWrap ? (0xffffffff - 5000 * i - 100) >>> 0 : undefined;
    a.handle({
      kind: 'connect',
      now: a.now(),
      localPort: 40000 + i,
      remoteAddr: ADDR_B,
      remotePort: 5001,
      isn,
    });
  }
  const limit = o.limitMs ?? 600000;
  const finished = () => {
    if (streams.size !== 2 * o.conns) return false;
    for (const s of streams.values()) if (!s.peerFin || s.sent < o.bytesEach) return false;
    return true;
  };
  while (clock.nextTime() !== undefined && clock.now() < limit && !finished()) {
    clock.advance(clock.nextTime()!);
  }
  const doneAt = clock.now();
  for (const [k, s] of streams) {
    if (s.received !== o.bytesEach) problems.push(`${k}: received ${s.received} of ${o.bytesEach}`);
  }
  return {
    a,
    b,
    doneAt,
    complete: finished(),
    problems,
    get bytesDelivered() {
      return delivered;
    },
    advance: (to) => clock.advance(to),
  };
}
