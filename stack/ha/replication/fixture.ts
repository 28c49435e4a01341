/**
 * Test fixture: an active engine behind the replicator and a peer engine, joined by a lossless
 * in-process wire with 1 ms delay, plus a standby replayer fed every entry in order.
 */
import type { ConnId, TcpConfig, TcpInput, TcpOutput } from '../../tcp/api.ts';
import { TcpEngine } from '../../tcp/engine.ts';
import type { LogEntry } from '../ipc/records.ts';
import { Replayer, type ReplayLog } from './replayer.ts';
import { type HandleResult, SsoReplicator } from './replicator.ts';

export const CHASSIS = 0xc6120201;
export const PEER = 0xc6120264;
export const SECRET = new Uint8Array(16).fill(42);

/** Engine settings for all three engines of a rig (e.g. `tsoMaxBytes`: super-segments both ways). */
export type RigEngineOptions = Partial<Omit<TcpConfig, 'localAddr' | 'isnSecret'>>;

/** How the rig's socket layer behaves (both off by default). */
export interface RigSocketLayer {
  /** The sink replicates at once, so a segment's records may wait for the app (consumed records). */
  deferRecords?: boolean;
  /** The app consumes every delivered byte right away, as a discard or BGP reader does. */
  appConsumes?: boolean;
}

export function chassisEngine(opts: RigEngineOptions = {}): TcpEngine {
  return new TcpEngine({ msl2Ms: 1000, ...opts, localAddr: CHASSIS, isnSecret: SECRET });
}

export class Rig {
  now = 0;
  readonly active: TcpEngine;
  readonly standby: TcpEngine;
  readonly peer: TcpEngine;
  readonly entries: LogEntry[] = [];
  readonly replicator: SsoReplicator;
  readonly replayer: Replayer;
  /** Bytes the peer received, per peer connection. */
  readonly peerData = new Map<ConnId, number[]>();
  /** Bytes delivered to the chassis app, per chassis connection. */
  readonly chassisData = new Map<ConnId, number[]>();
  readonly applied: string[][] = [];
  /** What the replayer logged (warnings about what it could not replay or keep). */
  readonly replayLog: Parameters<ReplayLog>[0][] = [];
  /** Every chassis input's result, in order. */
  readonly results: HandleResult[] = [];
  /** Indices passed to the sink's `resolved`. */
  readonly resolved: number[] = [];
  private wire: {
    at: number;
    to: 'peer' | 'chassis';
    o: Extract<TcpOutput, { kind: 'segment' }>;
  }[] = [];
  private replayed = 0;

  constructor(
    regenerate?: ConstructorParameters<typeof Replayer>[1],
    appState?: (conn: ConnId) => Uint8Array | null | undefined,
    engineOptions: RigEngineOptions = {},
    private readonly layer: RigSocketLayer = {},
  ) {
    this.active = chassisEngine(engineOptions);
    this.standby = chassisEngine(engineOptions);
    this.peer = new TcpEngine({
      msl2Ms: 1000,
      ...engineOptions,
      localAddr: PEER,
      isnSecret: new Uint8Array(16).fill(7),
    });
    this.replayer = new Replayer(this.standby, regenerate, (e) => this.replayLog.push(e));
    const sink = {
      replicate: (e: LogEntry) => {
        this.entries.push(e);
        return this.entries.length;
      },
      replicating: () => layer.deferRecords === true,
      resolved: (index: number) => this.resolved.push(index),
    };
    this.replicator = new SsoReplicator(this.active, sink, appState);
  }

  chassis(input: TcpInput): HandleResult {
    const r = this.replicator.handle(input);
    this.results.push(r);
    this.fromChassis(r.outputs);
    this.replicator.flushHeld(); // the socket layer's turn ends here
    return r;
  }

  peerInput(input: TcpInput): TcpOutput[] {
    const out = this.peer.handle(input);
    this.fromPeer(out);
    return out;
  }

  private fromChassis(out: TcpOutput[]): void {
    for (const o of out) {
      if (o.kind === 'segment') this.wire.push({ at: this.now + 1, to: 'peer', o });
      if (o.kind === 'data')
        this.chassisData.set(o.conn, [...(this.chassisData.get(o.conn) ?? []), ...o.bytes]);
    }
    if (!this.layer.appConsumes) return;
    for (const o of out)
      if (o.kind === 'data')
        this.chassis({ kind: 'consume', now: this.now, conn: o.conn, n: o.bytes.length });
  }

  private fromPeer(out: TcpOutput[]): void {
    for (const o of out) {
      if (o.kind === 'segment') this.wire.push({ at: this.now + 1, to: 'chassis', o });
      if (o.kind === 'data') {
        this.peerData.set(o.conn, [...(this.peerData.get(o.conn) ?? []), ...o.bytes]);
        this.peerInput({ kind: 'consume', now: this.now, conn: o.conn, n: o.bytes.length });
      }
    }
  }

  /** Advance time in 1 ms steps, delivering segments and firing timers; replay new entries. */
  run(ms: number): void {
    const end = this.now + ms;
    while (this.now < end) {
      this.now++;
      const due = this.wire.filter((w) => w.at <= this.now);
      this.wire = this.wire.filter((w) => w.at > this.now);
      for (const w of due) {
        const input: TcpInput = {
          kind: 'segment',
          now: this.now,
          src: w.o.src,
          dst: w.o.dst,
          segment: w.o.segment,
        };
        if (w.to === 'peer') this.peerInput(input);
        else this.chassis(input);
      }
      const d = this.active.nextDeadline();
      if (d >= 0 && d <= this.now) this.chassis({ kind: 'timer', now: this.now });
      const p = this.peer.nextDeadline();
      if (p >= 0 && p <= this.now) this.peerInput({ kind: 'timer', now: this.now });
      this.replay();
    }
  }

  replay(): void {
    while (this.replayed < this.entries.length)
      this.applied.push(this.replayer.apply(this.entries[this.replayed++]!, this.now));
  }
}
