/**
 * One TCP engine on a MemoryLink in virtual time: frames are [src u32][dst u32][TCP bytes]
 * through the real wire codec; engine timers are scheduled on the link's VirtualClock.
 */
import type { MemoryLink, VirtualClock } from '../../link/index.ts';
import { decodeTcp, encodeTcp } from '../../wire/tcp.ts';
import type { ConnId, TcpConfig, TcpInput, TcpOutput } from '../api.ts';
import { TcpEngine } from '../engine.ts';

export interface SimHostHooks {
  onData?(conn: ConnId, bytes: Uint8Array): void;
  onEvent?(out: Extract<TcpOutput, { kind: 'event' }>): void;
}

export class SimHost {
  readonly engine: TcpEngine;
  /** Every input given to the engine, in order (for replay). */
  readonly inputs: TcpInput[] = [];
  record = false;
  hooks: SimHostHooks = {};
  /** Called after every engine input (e.g. to fingerprint the state). */
  afterInput?: (input: TcpInput) => void;
  badFrames = 0;
  /** This host's clock = the simulation clock + offset (boards never agree on the time). */
  offset = 0;
  private timerAt = -1;

  constructor(
    readonly addr: number,
    private readonly link: MemoryLink,
    private readonly clock: VirtualClock,
    cfg: Omit<TcpConfig, 'localAddr'>,
  ) {
    this.engine = new TcpEngine({ ...cfg, localAddr: addr });
    link.onFrames((frames) => {
      for (const f of frames) this.frame(f);
    });
  }

  now(): number {
    return Math.floor(this.clock.now()) + this.offset;
  }

  private frame(f: Uint8Array): void {
    if (f.length < 8) return;
    const v = new DataView(f.buffer, f.byteOffset, f.byteLength);
    const src = v.getUint32(0);
    const dst = v.getUint32(4);
    const d = decodeTcp(f.subarray(8), src, dst);
    if (!d.ok) {
      this.badFrames++;
      return;
    }
    this.handle({ kind: 'segment', now: this.now(), src, dst, segment: d.value });
  }

  handle(input: TcpInput): TcpOutput[] {
    if (this.record) this.inputs.push(input);
    const out = this.engine.handle(input);
    this.afterInput?.(input);
    for (const o of out) {
      if (o.kind === 'segment') {
        const tcp = encodeTcp(o.segment, o.src, o.dst);
        const f = new Uint8Array(8 + tcp.length);
        const v = new DataView(f.buffer);
        v.setUint32(0, o.src);
        v.setUint32(4, o.dst);
        f.set(tcp, 8);
        this.link.send(f);
      } else if (o.kind === 'data') this.hooks.onData?.(o.conn, o.bytes);
      else if (o.kind === 'event') this.hooks.onEvent?.(o);
    }
    this.armTimer();
    return out;
  }

  private armTimer(): void {
    const d = this.engine.nextDeadline();
    if (d < 0 || (this.timerAt >= 0 && this.timerAt <= d)) return;
    this.timerAt = d;
    this.clock.at(d - this.offset, () => {
      if (this.timerAt !== d) return;
      this.timerAt = -1;
      this.handle({ kind: 'timer', now: this.now() });
    });
  }
}
