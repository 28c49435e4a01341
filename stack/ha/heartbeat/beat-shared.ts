/**
 * The memory the main thread and the heartbeat thread share, so that in steady state they
 * exchange no message at all: a message port takes a lock on both sides, and a heartbeat
 * thread waiting for that lock while a starved main thread holds it stalls as long as the
 * main thread does (measured: 50–190 ms on a loaded 2-core machine). Numbers only:
 * - main writes its check-in time and the fields its heartbeats carry;
 * - the worker writes when it last sent (the main loop's own sends count too), the last hole
 *   in the sends, and per path what it heard last and whether the path is silent.
 * Groups of values are read consistently through a sequence counter (seqlock, one writer).
 */
import { type Heartbeat, ROLES, SYNC_STATES } from '../ipc/records.ts';
import type { HeartbeatFields } from './beat-protocol.ts';
import type { HeartbeatPath } from './detector.ts';

// Float64 slots: 4 single values; the fields (slot, role, epoch, sync, frontDown) at 4..8; per
// path at its base: heardCount, alive, lastHeard, then the heartbeat (slot, role, epoch, sync,
// counter, sentAt, frontDown). frontDown: -1 not told, 0 or 1.
const F = { checkIn: 0, lastSent: 1, holeFrom: 2, holeTo: 3, fields: 4 } as const;
const PATH_BASE = { ipc: 9, lan: 19 } as const;
const FLOATS = 29;

const flagOf = (v: boolean | undefined): number => (v === undefined ? -1 : v ? 1 : 0);
const withFlag = (v: number): { frontDown?: boolean } => (v < 0 ? {} : { frontDown: v === 1 });
const SEQ = { fields: 0, ipc: 1, lan: 2 } as const;

export interface PathState {
  /** Heartbeats heard on the path so far. */
  heardCount: number;
  alive: boolean;
  lastHeard: number | undefined;
  /** The last heartbeat heard (undefined before the first). */
  hb: Heartbeat | undefined;
}

export class BeatShared {
  readonly buffer: SharedArrayBuffer;
  private readonly f: Float64Array;
  private readonly seq: Int32Array;

  constructor(buffer?: SharedArrayBuffer) {
    this.buffer = buffer ?? new SharedArrayBuffer(FLOATS * 8 + 3 * 4);
    this.f = new Float64Array(this.buffer, 0, FLOATS);
    this.seq = new Int32Array(this.buffer, FLOATS * 8, 3);
    if (!buffer) {
      this.f[F.lastSent] = -1;
      this.f[F.holeFrom] = -1;
      this.f[F.holeTo] = -1;
      for (const p of ['ipc', 'lan'] as const) this.f[PATH_BASE[p] + 2] = -1;
    }
  }

  get checkIn(): number {
    return this.f[F.checkIn]!;
  }
  set checkIn(v: number) {
    this.f[F.checkIn] = v;
  }
  /** Last heartbeat sent by either thread (−1: never). */
  get lastSent(): number {
    return this.f[F.lastSent]!;
  }
  noteSent(now: number): void {
    if (now > this.f[F.lastSent]!) this.f[F.lastSent] = now;
  }
  get hole(): { from: number; to: number } | undefined {
    const to = this.f[F.holeTo]!;
    return to < 0 ? undefined : { from: this.f[F.holeFrom]!, to };
  }
  setHole(from: number, to: number): void {
    this.f[F.holeFrom] = from;
    this.f[F.holeTo] = to;
  }

  writeFields(x: HeartbeatFields): void {
    this.write(SEQ.fields, () => {
      const b = F.fields;
      this.f[b] = x.slot;
      this.f[b + 1] = ROLES.indexOf(x.role);
      this.f[b + 2] = x.epoch;
      this.f[b + 3] = SYNC_STATES.indexOf(x.sync);
      this.f[b + 4] = flagOf(x.frontDown);
    });
  }

  readFields(): HeartbeatFields | undefined {
    return this.read(SEQ.fields, () => {
      const b = F.fields;
      return {
        slot: this.f[b]!,
        role: ROLES[this.f[b + 1]!] ?? 'booting',
        epoch: this.f[b + 2]!,
        sync: SYNC_STATES[this.f[b + 3]!] ?? 'cold',
        ...withFlag(this.f[b + 4]!),
      };
    });
  }

  /** Worker: a heartbeat heard on `path` at `at`. */
  heard(path: HeartbeatPath, hb: Heartbeat, at: number): void {
    this.write(SEQ[path], () => {
      const b = PATH_BASE[path];
      this.f[b] = this.f[b]! + 1;
      this.f[b + 1] = 1;
      this.f[b + 2] = at;
      this.f[b + 3] = hb.slot;
      this.f[b + 4] = ROLES.indexOf(hb.role);
      this.f[b + 5] = hb.epoch;
      this.f[b + 6] = SYNC_STATES.indexOf(hb.sync);
      this.f[b + 7] = hb.counter;
      this.f[b + 8] = hb.sentAt;
      this.f[b + 9] = flagOf(hb.frontDown);
    });
  }

  /** Worker: the path fell silent. */
  silent(path: HeartbeatPath): void {
    this.write(SEQ[path], () => {
      this.f[PATH_BASE[path] + 1] = 0;
    });
  }

  path(path: HeartbeatPath): PathState | undefined {
    return this.read(SEQ[path], () => {
      const b = PATH_BASE[path];
      const heardCount = this.f[b]!;
      const lastHeard = this.f[b + 2]!;
      return {
        heardCount,
        alive: this.f[b + 1] === 1,
        lastHeard: lastHeard < 0 ? undefined : lastHeard,
        hb:
          heardCount === 0
            ? undefined
            : {
                slot: this.f[b + 3]!,
                role: ROLES[this.f[b + 4]!] ?? 'booting',
                epoch: this.f[b + 5]!,
                sync: SYNC_STATES[this.f[b + 6]!] ?? 'cold',
                counter: this.f[b + 7]!,
                sentAt: this.f[b + 8]!,
                ...withFlag(this.f[b + 9]!),
              },
      };
    });
  }

  private write(i: number, fn: () => void): void {
    Atomics.add(this.seq, i, 1); // odd: being written
    fn();
    Atomics.add(this.seq, i, 1);
  }

  /** Undefined when the writer stays in the middle of a write (preempted): try again later. */
  private read<T>(i: number, fn: () => T): T | undefined {
    for (let tries = 0; tries < 64; tries++) {
      const before = Atomics.load(this.seq, i);
      if ((before & 1) === 0) {
        const v = fn();
        if (Atomics.load(this.seq, i) === before) return v;
      }
    }
    return undefined;
  }
}
