/**
 * Main-thread side of the heartbeat thread: starts beat-worker.ts and shares memory with it
 * (beat-shared.ts): checks in and sets the fields the heartbeats carry, and on `poll` turns
 * what the thread heard (and the paths it found silent) into events, in that order. The main
 * loop also sends a heartbeat of its own each interval (`beat`): the thread keeps them going
 * while the main loop is busy, the main loop while the thread is held up; only a stall of
 * both is a hole. A heartbeat thread that dies is logged and restarted.
 */
import { EventEmitter } from 'node:events';
import { Worker } from 'node:worker_threads';
import { type HaLog, silentLog } from '../ipc/log-sink.ts';
import type { Heartbeat } from '../ipc/records.ts';
import {
  type BeatSettings,
  type BeatWorkerData,
  type HeartbeatFields,
  holeThresholdMs,
  type MainToWorker,
  monotonicNowMs,
  sameFields,
  type WorkerToMain,
} from './beat-protocol.ts';
import { BeatShared } from './beat-shared.ts';
import { DatagramSender } from './datagram-sender.ts';
import { HEARTBEAT_PATHS, type HeartbeatPath } from './detector.ts';
import type { HeartbeatService, HeartbeatServiceEvents } from './service.ts';

export interface HeartbeatThreadOptions extends BeatSettings {
  /** The main thread's clock (ms), the one `checkIn` and the events use. */
  clock: () => number;
  log?: HaLog;
}

const ENTRY = new URL('./beat-worker-entry.mjs', import.meta.url);
const RESTART_MS = 100;

export class HeartbeatThread
  extends EventEmitter<HeartbeatServiceEvents>
  implements HeartbeatService
{
  private worker: Worker | undefined;
  private readonly shared = new BeatShared();
  private readonly log: HaLog;
  private readonly holeMs: number;
  private fields: HeartbeatFields;
  private stopping = false;
  private restartTimer: NodeJS.Timeout | undefined;
  /** Start of the last hole handed out by takeHole (a hole is reported once). */
  private holeTaken = Number.NEGATIVE_INFINITY;
  private readonly senders: DatagramSender[];
  private readonly seen: Record<HeartbeatPath, { heardCount: number; alive: boolean }> = {
    ipc: { heardCount: 0, alive: false },
    lan: { heardCount: 0, alive: false },
  };

  private constructor(private readonly opts: HeartbeatThreadOptions) {
    super();
    this.log = opts.log ?? silentLog;
    this.fields = { ...opts.fields };
    this.shared.writeFields(this.fields);
    this.holeMs = holeThresholdMs(opts.intervalMs, opts.misses);
    this.senders = [opts.ipc, opts.lan].map((ep) => new DatagramSender(ep, opts.key));
  }

  /** Resolves once both sockets are bound (or waiting for a missing address) and sending. */
  static async start(opts: HeartbeatThreadOptions): Promise<HeartbeatThread> {
    const t = new HeartbeatThread(opts);
    await t.spawn();
    return t;
  }

  checkIn(now: number, fields: HeartbeatFields): void {
    this.shared.checkIn = now;
    if (sameFields(fields, this.fields)) return;
    this.fields = { ...fields };
    this.shared.writeFields(this.fields);
  }

  /** Emit what the thread heard since the last poll, then the paths it found silent. */
  poll(_now: number): void {
    for (const path of HEARTBEAT_PATHS) {
      const s = this.shared.path(path);
      if (!s) continue; // being written right now: next poll
      const seen = this.seen[path];
      const heardNew = s.heardCount !== seen.heardCount;
      if (heardNew && s.hb && s.lastHeard !== undefined)
        this.emit('heard', path, s.hb, s.lastHeard);
      if (!s.alive && (seen.alive || heardNew)) this.emit('silent', path, s.lastHeard);
      seen.heardCount = s.heardCount;
      seen.alive = s.alive;
    }
  }

  /** The main loop's own heartbeat on both paths (the thread sends too). */
  beat(hb: Heartbeat, now: number): void {
    for (const s of this.senders) s.send(hb, now);
    this.shared.noteSent(now);
  }

  holePending(now: number): boolean {
    return this.hole(now) !== undefined;
  }

  takeHole(now: number): number | undefined {
    const h = this.hole(now);
    if (!h) return undefined;
    this.holeTaken = h.from;
    return h.ms;
  }

  private hole(now: number): { from: number; ms: number } | undefined {
    const lastSent = this.shared.lastSent;
    if (lastSent >= 0 && now - lastSent > this.holeMs && lastSent > this.holeTaken)
      return { from: lastSent, ms: now - lastSent }; // still going on
    const h = this.shared.hole;
    if (h && h.from > this.holeTaken) return { from: h.from, ms: h.to - h.from };
    return undefined;
  }

  async stop(): Promise<void> {
    this.stopping = true;
    clearTimeout(this.restartTimer);
    for (const s of this.senders) s.close();
    const w = this.worker;
    this.worker = undefined;
    if (!w) return;
    const exited = new Promise<void>((resolve) => w.once('exit', () => resolve()));
    w.postMessage({ type: 'stop' } satisfies MainToWorker);
    const timeout = setTimeout(() => void w.terminate(), 1000);
    await exited;
    clearTimeout(timeout);
  }

  private spawn(): Promise<void> {
    // Until the thread runs, the main loop counts as checked in (startup is not a hang).
    this.shared.checkIn = Number.POSITIVE_INFINITY;
    const { clock, log: _log, ...settings } = this.opts;
    const data: BeatWorkerData = {
      ...settings,
      fields: this.fields,
      shared: this.shared.buffer,
      clockOffsetMs: monotonicNowMs() - clock(),
    };
    const worker = new Worker(ENTRY, { workerData: data });
    this.worker = worker;
    return new Promise((resolve, reject) => {
      let ready = false;
      worker.on('message', (m: WorkerToMain) => {
        if (m.type === 'log') {
          this.log(m.event);
        } else if (m.type === 'silent') {
          // The main loop would poll at its next tick, up to a heartbeat interval later: the
          // takeover would wait for it. Not before anyone listens (events would be lost).
          if (this.listenerCount('silent') > 0) this.poll(this.opts.clock());
        } else if (m.type === 'ready') {
          ready = true;
          this.shared.checkIn = this.opts.clock();
          resolve();
        }
      });
      worker.on('error', (err) => {
        this.log({ level: 'error', msg: 'heartbeat thread failed', reason: err.message });
        if (!ready) reject(err);
      });
      worker.on('exit', (code) => {
        if (this.worker !== worker) return;
        this.worker = undefined;
        if (this.stopping) return;
        this.log({ level: 'error', msg: 'heartbeat thread exited: restarting', code });
        if (!ready) return; // the start itself failed: reported by the rejection
        this.restartTimer = setTimeout(() => {
          this.spawn().catch((e: Error) =>
            this.log({ level: 'error', msg: 'heartbeat thread restart failed', reason: e.message }),
          );
        }, RESTART_MS);
      });
    });
  }
}
