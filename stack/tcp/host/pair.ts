/**
 * Two hosts wired back to back in virtual time (one ManualClock), for tests
 * of the socket layer and the apps over the real engine. Segments cross after
 * `delayMs`; `drop` decides per segment whether the wire loses it.
 */
import { parseIpv4 } from '../../wire/address.ts';
import type { TcpSegment } from '../../wire/tcp-types.ts';
import type { TcpConfig } from '../api.ts';
import { TcpEngine } from '../engine.ts';
import { ManualClock } from './clock.ts';
import { TcpHost } from './host.ts';

export interface HostPair {
  clock: ManualClock;
  a: TcpHost;
  b: TcpHost;
  addrA: string;
  addrB: string;
  /** Advance virtual time in small steps until cond() or the time limit (ms). */
  runUntil(cond: () => boolean, limitMs?: number): boolean;
  /** Segments each host put on the wire, in order. */
  wire: { from: 'a' | 'b'; segment: TcpSegment }[];
  /**
   * Put a new host with this engine in place of one side (a takeover): the old host is
   * stopped and cut off, segments for that side go to the new one.
   */
  replace(side: 'a' | 'b', engine: TcpEngine): TcpHost;
}

export interface PairOptions {
  delayMs?: number;
  /** Per-segment one-way delay (overrides delayMs): jitter reorders segments. */
  delay?: (from: 'a' | 'b', segment: TcpSegment) => number;
  drop?: (from: 'a' | 'b', segment: TcpSegment) => boolean;
  engine?: Partial<Omit<TcpConfig, 'localAddr' | 'isnSecret'>>;
  record?: boolean;
  logs?: Record<string, unknown>[];
}

export function hostPair(opts: PairOptions = {}): HostPair {
  const clock = new ManualClock(1000);
  const addrA = '198.18.7.1';
  const addrB = '198.18.7.2';
  const delay = opts.delayMs ?? 1;
  const wire: HostPair['wire'] = [];
  const hosts: Record<'a' | 'b', TcpHost> = {} as Record<'a' | 'b', TcpHost>;
  const make = (name: 'a' | 'b', addr: string, other: 'a' | 'b', engine?: TcpEngine): TcpHost => {
    const host: TcpHost = new TcpHost({
      engine:
        engine ??
        new TcpEngine({
          ...opts.engine,
          localAddr: parseIpv4(addr),
          isnSecret: new Uint8Array(16).fill(name === 'a' ? 1 : 2),
        }),
      localAddr: parseIpv4(addr),
      clock,
      scheduler: clock,
      ...(opts.engine?.sndBuf !== undefined ? { sndBuf: opts.engine.sndBuf } : {}),
      transmit: (src, dst, segment) => {
        if (hosts[name] !== host) return; // replaced: this board is gone
        if (opts.record) wire.push({ from: name, segment });
        if (opts.drop?.(name, segment)) return;
        // The engine keeps no copy of what it hands out; neither does a real wire.
        const copy = { ...segment, payload: segment.payload.slice() };
        const ms = opts.delay ? opts.delay(name, segment) : delay;
        clock.schedule(ms, () => hosts[other].receive(src, dst, copy));
      },
      log: (e) => opts.logs?.push({ host: name, ...e }),
    });
    return host;
  };
  hosts.a = make('a', addrA, 'b');
  hosts.b = make('b', addrB, 'a');
  return {
    clock,
    get a() {
      return hosts.a;
    },
    get b() {
      return hosts.b;
    },
    addrA,
    addrB,
    wire,
    runUntil(cond, limitMs = 600_000) {
      const end = clock.now() + limitMs;
      while (!cond()) {
        if (clock.now() >= end) return false;
        clock.advance(1);
      }
      return true;
    },
    replace(side, engine) {
      hosts[side].stop();
      const fresh = make(side, side === 'a' ? addrA : addrB, side === 'a' ? 'b' : 'a', engine);
      hosts[side] = fresh;
      return fresh;
    },
  };
}
