/**
 * A small interpreter for packetdrill-style scripts against the engine, e.g.
 *
 *   0     listen 80
 *   0     < S 0:0(0) win 65535 <mss 1460,sackOK,TS val 100 ecr 0,nop,wscale 7>
 *   +0    > S. 0:0(0) ack 1 win 65535 <mss 1460,sackOK,TS val * ecr 100,wscale 7>
 *   +.01  < . 1:1(0) ack 1 win 502 <nop,nop,TS val 110 ecr *>
 *   +0    event accepted
 *
 * Sequence numbers are relative: inbound SEQ to the peer's ISN (`remoteIsn`), inbound ACK to
 * ours (learned from our SYN or SYN-ACK); outbound the other way round. `*` matches any TS
 * value, and an inbound `ecr *` echoes our last TSval. Outbound lines must match, in order and
 * at exactly their time, every segment the engine sends; nothing else may be sent.
 */
import type { TcpOptions, TcpSegment } from '../../wire/tcp-types.ts';
import { TCP_STATE_NAMES, type TcpConfig, type TcpOutput, TcpState } from '../api.ts';
import { fmt, LOCAL, parseFlags, REMOTE, Script } from './script.ts';

export class DrillError extends Error {
  readonly code = 'TCP_DRILL_MISMATCH';
  constructor(line: number, message: string) {
    super(`line ${line}: ${message}`);
    this.name = 'DrillError';
  }
}

interface Sent {
  at: number;
  seg: TcpSegment;
}

export function runDrill(text: string, cfg: Partial<TcpConfig> = {}, remoteIsn = 0xfffff000): void {
  const s = new Script(cfg);
  const sent: Sent[] = [];
  const events: string[] = [];
  let now = 0;
  let localIss: number | undefined;
  let conn = -1;
  let lastTsVal = 0;
  let lineNo = 0;
  const ports = { local: 80, remote: 40000 };
  const collect = (out: TcpOutput[], at: number) => {
    for (const o of out) {
      if (o.kind === 'segment') {
        sent.push({ at, seg: o.segment });
        if (localIss === undefined && o.segment.flags & 0x02) localIss = o.segment.seq;
        if (o.segment.options.timestamp) lastTsVal = o.segment.options.timestamp.value;
      } else if (o.kind === 'event') {
        events.push(o.error ? `${o.event}:${o.error}` : o.event);
        if (o.event === 'accepted' || o.event === 'established') conn = o.conn;
      }
    }
  };
  const advance = (to: number) => {
    for (;;) {
      const d = s.engine.nextDeadline();
      if (d < 0 || d > to) break;
      collect(s.run({ kind: 'timer', now: d }), d);
    }
    now = to;
  };
  const noneLeft = () => {
    if (sent.length > 0)
      throw new DrillError(
        lineNo,
        `unexpected segment at ${sent[0]!.at} ms: ${relative(sent[0]!.seg)}`,
      );
  };
  const relative = (seg: TcpSegment) =>
    fmt({
      ...seg,
      seq: (seg.seq - (localIss ?? 0)) >>> 0,
      ack: (seg.ack - remoteIsn) >>> 0,
      options: {
        ...seg.options,
        sack: seg.options.sack?.map((b) => ({
          left: (b.left - remoteIsn) >>> 0,
          right: (b.right - remoteIsn) >>> 0,
        })),
      },
    });

  for (const raw of text.split('\n')) {
    lineNo++;
    const line = raw.replace(/\/\/.*$/, '').trim();
    if (!line) continue;
    const m = /^(\+?[\d.]+)\s+(.*)$/.exec(line);
    if (!m) throw new DrillError(lineNo, `no time in "${line}"`);
    const [, time, rest] = m as unknown as [string, string, string];
    const ms = Math.round(Number.parseFloat(time.replace(/^\+/, '')) * 1000);
    const at = time.startsWith('+') ? now + ms : ms;
    if (rest.startsWith('>')) {
      advance(at);
      const got = sent.shift();
      const want = rest.slice(1).trim();
      if (!got) throw new DrillError(lineNo, `expected ${want} at ${at} ms, nothing was sent`);
      const gotText = relative(got.seg);
      if (got.at !== at || !matches(gotText, want)) {
        throw new DrillError(
          lineNo,
          `expected ${want} at ${at} ms, got ${gotText} at ${got.at} ms`,
        );
      }
      continue;
    }
    advance(at);
    noneLeft();
    if (rest.startsWith('<')) {
      const seg = parseInbound(rest.slice(1).trim(), remoteIsn, localIss ?? 0, lastTsVal, lineNo);
      seg.srcPort = ports.remote;
      seg.dstPort = ports.local;
      collect(s.run({ kind: 'segment', now, src: REMOTE, dst: LOCAL, segment: seg }), now);
      continue;
    }
    const [cmd, ...args] = rest.split(/\s+/);
    const n = Number(args[0] ?? 0);
    switch (cmd) {
      case 'listen':
        collect(s.run({ kind: 'listen', now, port: n, backlog: 8 }), now);
        break;
      case 'connect': {
        const isn = args[2] === 'isn' ? Number(args[3]) : 0;
        ports.local = n;
        ports.remote = Number(args[1]);
        const out = s.run({
          kind: 'connect',
          now,
          localPort: n,
          remoteAddr: REMOTE,
          remotePort: Number(args[1]),
          isn,
        });
        conn = s.engine.connections().at(-1)!;
        collect(out, now);
        break;
      }
      case 'send':
        collect(s.run({ kind: 'send', now, conn, bytes: new Uint8Array(n).fill(0x62) }), now);
        break;
      case 'consume':
        collect(s.run({ kind: 'consume', now, conn, n }), now);
        break;
      case 'shutdown':
      case 'close':
      case 'abort':
        collect(s.run({ kind: cmd, now, conn }), now);
        break;
      case 'event': {
        const e = events.shift();
        if (e !== args[0])
          throw new DrillError(lineNo, `expected event ${args[0]}, got ${e ?? 'none'}`);
        break;
      }
      case 'state': {
        const st = TCP_STATE_NAMES[s.engine.info(conn)?.state ?? TcpState.CLOSED];
        if (st !== args[0]) throw new DrillError(lineNo, `expected state ${args[0]}, got ${st}`);
        break;
      }
      default:
        throw new DrillError(lineNo, `unknown command ${cmd}`);
    }
  }
  noneLeft();
}

/** Compare a printed segment with an expectation where `*` matches one token. */
function matches(got: string, want: string): boolean {
  const norm = (x: string) =>
    x
      .replace(/nop,?|eol,?/g, '')
      .replace(/,>/, '>')
      .replace(/\s+/g, ' ')
      .trim();
  const g = norm(got).split(/([ ,<>])/);
  const w = norm(want).split(/([ ,<>])/);
  return g.length === w.length && w.every((tok, i) => tok === '*' || tok === g[i]);
}

function parseInbound(
  spec: string,
  remoteIsn: number,
  localIss: number,
  lastTsVal: number,
  line: number,
): TcpSegment {
  const m =
    /^([SFRP.]+)\s+(\d+):(\d+)\((\d+)\)(?:\s+ack\s+(\d+))?(?:\s+win\s+(\d+))?\s*(?:<(.*)>)?$/.exec(
      spec,
    );
  if (!m) throw new DrillError(line, `cannot parse segment "${spec}"`);
  const options: TcpOptions = {};
  for (const o of (m[7] ?? '').split(',').map((x) => x.trim())) {
    if (!o || o === 'nop' || o === 'eol') continue;
    const mss = /^mss (\d+)$/.exec(o);
    const ws = /^wscale (\d+)$/.exec(o);
    const ts = /^TS val (\d+) ecr (\d+|\*)$/.exec(o);
    const sack = /^sack ((?:\d+:\d+ ?)+)$/.exec(o);
    if (mss) options.mss = Number(mss[1]);
    else if (ws) options.wscale = Number(ws[1]);
    else if (o === 'sackOK') options.sackPermitted = true;
    else if (ts)
      options.timestamp = { value: Number(ts[1]), echo: ts[2] === '*' ? lastTsVal : Number(ts[2]) };
    else if (sack) {
      options.sack = sack[1]!
        .trim()
        .split(' ')
        .map((b) => {
          const [l, r] = b.split(':').map(Number) as [number, number];
          return { left: (localIss + l) >>> 0, right: (localIss + r) >>> 0 };
        });
    } else throw new DrillError(line, `unknown option "${o}"`);
  }
  return {
    srcPort: 40000,
    dstPort: 80,
    seq: (remoteIsn + Number(m[2])) >>> 0,
    ack: m[5] !== undefined ? (localIss + Number(m[5])) >>> 0 : 0,
    flags: parseFlags(m[1]!),
    window: m[6] !== undefined ? Number(m[6]) : 65535,
    urgent: 0,
    options,
    payload: new Uint8Array(Number(m[4])).fill(0x61),
  };
}
