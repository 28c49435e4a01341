/** Whole-engine snapshot: config, id counter, listeners by port, connections by id. */
import { ByteReader, ByteWriter } from './bytes.ts';
import type { Listener } from './conn-table.ts';
import type { ResolvedConfig } from './context.ts';
import type { TcpEngine } from './engine.ts';
import { TcpError } from './errors.ts';
import { readTcb, writeTcb } from './tcb.ts';

const ENGINE_MAGIC = 0x54434531; // "TCE1"

const CFG_INTS = [
  'localAddr',
  'mss',
  'wscale',
  'rtoMinMs',
  'rtoMaxMs',
  'rtoInitialMs',
  'delayedAckMs',
  'msl2Ms',
  'finWait2TimeoutMs',
  'synRetries',
  'maxRetries',
  'keepaliveIdleMs',
  'keepaliveIntervalMs',
  'keepaliveProbes',
  'rcvBuf',
  'sndBuf',
  'oooLimit',
  'userTimeoutMs',
  'initialWindow',
  'tsoMaxBytes',
] as const satisfies readonly (keyof ResolvedConfig)[];
const CFG_BOOLS = [
  'timestamps',
  'sack',
  'nagle',
] as const satisfies readonly (keyof ResolvedConfig)[];

export function writeEngine(e: TcpEngine): Uint8Array {
  const w = new ByteWriter();
  w.u32(ENGINE_MAGIC);
  for (const k of CFG_INTS) w.int(e.cfg[k]);
  for (const k of CFG_BOOLS) w.bool(e.cfg[k]);
  w.bytes(e.cfg.isnSecret);
  w.int(e.nextId);
  const ports = [...e.listeners.keys()].sort((a, b) => a - b);
  w.u32(ports.length);
  for (const p of ports) {
    const l = e.listeners.get(p)!;
    w.int(l.port);
    w.int(l.backlog);
    w.bool(l.opts.nagle);
    w.bool(l.opts.keepalive);
    w.int(l.opts.userTimeoutMs);
    w.int(l.opts.rcvBuf);
    w.int(l.opts.sndBuf);
  }
  const ids = e.connections();
  w.u32(ids.length);
  for (const id of ids) writeTcb(w, e.conns.get(id)!);
  return w.finish();
}

export function readEngine(bytes: Uint8Array, make: (cfg: ResolvedConfig) => TcpEngine): TcpEngine {
  const r = new ByteReader(bytes);
  if (r.u32() !== ENGINE_MAGIC) throw new TcpError('TCP_BAD_SNAPSHOT', 'not an engine snapshot');
  const cfg = {} as Record<string, unknown>;
  for (const k of CFG_INTS) cfg[k] = r.int();
  for (const k of CFG_BOOLS) cfg[k] = r.bool();
  cfg.isnSecret = r.bytes();
  const e = make(cfg as unknown as ResolvedConfig);
  e.nextId = r.int();
  const nl = r.u32();
  for (let i = 0; i < nl; i++) {
    const l: Listener = {
      port: r.int(),
      backlog: r.int(),
      opts: {
        nagle: r.bool(),
        keepalive: r.bool(),
        userTimeoutMs: r.int(),
        rcvBuf: r.int(),
        sndBuf: r.int(),
      },
      pending: 0,
    };
    e.listeners.set(l.port, l);
  }
  const nc = r.u32();
  for (let i = 0; i < nc; i++) e.install(readTcb(r));
  if (!r.done()) throw new TcpError('TCP_BAD_SNAPSHOT', 'trailing bytes in engine snapshot');
  e.rebuild();
  return e;
}
