/**
 * packetdrill-style helpers for scripted engine tests: build segments from short specs, feed
 * them at time t, and print what comes out as `S. 100:100(0) ack 501 win 512 <mss 1460>`.
 */
import { TcpFlag, type TcpOptions, type TcpSegment } from '../../wire/tcp-types.ts';
import type { ConnId, TcpConfig, TcpInput, TcpOutput } from '../api.ts';
import { TcpEngine } from '../engine.ts';

export const LOCAL = 0xc6120001; // 198.18.0.1
export const REMOTE = 0xc6120002; // 198.18.0.2

const FLAG_CHARS: [string, number][] = [
  ['S', TcpFlag.SYN],
  ['F', TcpFlag.FIN],
  ['R', TcpFlag.RST],
  ['P', TcpFlag.PSH],
];

export function parseFlags(s: string): number {
  let f = 0;
  for (const ch of s) {
    if (ch === '.') f |= TcpFlag.ACK;
    else {
      const e = FLAG_CHARS.find(([c]) => c === ch);
      if (!e) throw new Error(`bad flag ${ch}`);
      f |= e[1];
    }
  }
  return f;
}

export interface SegSpec {
  flags: string;
  seq: number;
  ack?: number;
  win?: number;
  len?: number;
  data?: Uint8Array;
  options?: TcpOptions;
  srcPort?: number;
  dstPort?: number;
}

export function seg(s: SegSpec): TcpSegment {
  const payload = s.data ?? new Uint8Array(s.len ?? 0).fill(0x61);
  return {
    srcPort: s.srcPort ?? 40000,
    dstPort: s.dstPort ?? 80,
    seq: s.seq >>> 0,
    ack: (s.ack ?? 0) >>> 0,
    flags: parseFlags(s.flags),
    window: s.win ?? 65535,
    urgent: 0,
    options: s.options ?? {},
    payload,
  };
}

function fmtOptions(o: TcpOptions): string {
  const parts: string[] = [];
  if (o.mss !== undefined) parts.push(`mss ${o.mss}`);
  if (o.sackPermitted) parts.push('sackOK');
  if (o.timestamp) parts.push(`TS val ${o.timestamp.value} ecr ${o.timestamp.echo}`);
  if (o.wscale !== undefined) parts.push(`wscale ${o.wscale}`);
  if (o.sack) parts.push(`sack ${o.sack.map((b) => `${b.left}:${b.right}`).join(' ')}`);
  return parts.length ? ` <${parts.join(',')}>` : '';
}

export function fmt(s: TcpSegment): string {
  let f = '';
  for (const [c, bit] of FLAG_CHARS) if (s.flags & bit) f += c;
  if (s.flags & TcpFlag.ACK) f += '.';
  const len = s.payload.length;
  const end = (s.seq + len) >>> 0;
  const ack = s.flags & TcpFlag.ACK ? ` ack ${s.ack}` : '';
  return `${f} ${s.seq}:${end}(${len})${ack} win ${s.window}${fmtOptions(s.options)}`;
}

/** An engine at LOCAL with a peer at REMOTE, fed at explicit times. */
export class Script {
  readonly engine: TcpEngine;
  outs: TcpOutput[] = [];
  constructor(cfg: Partial<TcpConfig> = {}) {
    this.engine = new TcpEngine({
      localAddr: LOCAL,
      isnSecret: new Uint8Array([1, 2, 3, 4]),
      timestamps: false,
      sack: false,
      ...cfg,
    });
  }

  run(input: TcpInput): TcpOutput[] {
    this.outs = this.engine.handle(input);
    return this.outs;
  }

  /** Active open from port 40000 to REMOTE:80 with the given ISN. */
  connect(t: number, isn: number): TcpOutput[] {
    return this.run({
      kind: 'connect',
      now: t,
      localPort: 40000,
      remoteAddr: REMOTE,
      remotePort: 80,
      isn,
    });
  }

  /** Feed a segment from the peer at time t; returns the segments sent back, formatted. */
  in(t: number, spec: SegSpec): string[] {
    return segs(this.run({ kind: 'segment', now: t, src: REMOTE, dst: LOCAL, segment: seg(spec) }));
  }

  timer(t: number, conn?: ConnId): string[] {
    return segs(this.run({ kind: 'timer', now: t, conn }));
  }

  events(): string[] {
    return this.outs.flatMap((o) =>
      o.kind === 'event' ? [o.error ? `${o.event}:${o.error}` : o.event] : [],
    );
  }

  data(): number {
    let n = 0;
    for (const o of this.outs) if (o.kind === 'data') n += o.bytes.length;
    return n;
  }
}

export function segs(out: TcpOutput[]): string[] {
  return out.flatMap((o) => (o.kind === 'segment' ? [fmt(o.segment)] : []));
}

export function rawSegs(out: TcpOutput[]): TcpSegment[] {
  return out.flatMap((o) => (o.kind === 'segment' ? [o.segment] : []));
}

/**
 * Passive open up to ESTABLISHED: peer SYN (irs, mss 1000, window 8000) at t=0, its ACK at t=10.
 * Returns the script, our ISS and the connection id.
 */
export function openPassive(
  irs = 1000,
  cfg: Partial<TcpConfig> = {},
  synOptions: TcpOptions = { mss: 1000 },
) {
  const s = new Script({ rcvBuf: 4096, ...cfg });
  s.run({ kind: 'listen', now: 0, port: 80, backlog: 4 });
  s.in(0, { flags: 'S', seq: irs, win: 8000, options: synOptions });
  const iss = rawSegs(s.outs)[0]!.seq;
  const ts = synOptions.timestamp
    ? {
        timestamp: {
          value: synOptions.timestamp.value + 1,
          echo: rawSegs(s.outs)[0]!.options.timestamp!.value,
        },
      }
    : {};
  s.in(10, { flags: '.', seq: irs + 1, ack: iss + 1, win: 8000, options: ts });
  const conn = s.engine.connections()[0]!;
  return { s, iss, conn };
}
