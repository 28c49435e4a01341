/**
 * The heartbeat thread (a `worker_threads` worker started by HeartbeatThread): sends this
 * board's heartbeats on both paths (UDP on the IPC and the front-LAN addresses) and hears the
 * mate's, on its own event loop at real-time priority, so the main thread's pauses (replay
 * batches, GC, TAP bursts) neither delay a heartbeat nor fake the mate's silence. What it
 * hears, and when a path falls silent, it writes to shared memory (beat-shared.ts); a path
 * falling silent is also messaged, so the main thread acts on it at once. It stops sending
 * when the main thread stops checking in there. No message in steady state.
 */
import { parentPort, workerData } from 'node:worker_threads';
import type { HaLog } from '../ipc/log-sink.ts';
import {
  type BeatWorkerData,
  type HeartbeatFields,
  holeThresholdMs,
  type MainToWorker,
  monotonicNowMs,
  type WorkerToMain,
} from './beat-protocol.ts';
import { BeatShared } from './beat-shared.ts';
import { HEARTBEAT_PATHS, type HeartbeatPath } from './detector.ts';
import { PathWatch } from './path-watch.ts';
import { SendWatchdog } from './send-watchdog.ts';
import { raiseThreadPriority } from './thread-priority.ts';
import { UdpHeartbeat } from './udp-heartbeat.ts';

const port = parentPort;
if (!port) throw new Error('beat-worker.ts runs only as a worker thread');
const cfg = workerData as BeatWorkerData;
const shared = new BeatShared(cfg.shared);
const clock = (): number => monotonicNowMs() - cfg.clockOffsetMs;
const post = (m: WorkerToMain): void => port.postMessage(m);
const log: HaLog = (event) => post({ type: 'log', event });

let fields: HeartbeatFields = shared.readFields() ?? cfg.fields;
let counter = 0;
let stopped = false;
let timer: NodeJS.Timeout | undefined;
let timerDueAt: number | undefined;
let checkPending = false;
let nextSendAt = clock();
const late = { max: 0, count: 0, loggedAt: Number.NEGATIVE_INFINITY };
const watch = new PathWatch({ intervalMs: cfg.intervalMs, misses: cfg.misses });
const dog = new SendWatchdog({
  hangMs: cfg.hangMs,
  holeMs: holeThresholdMs(cfg.intervalMs, cfg.misses),
});
const sockets: Record<HeartbeatPath, UdpHeartbeat> = {
  ipc: new UdpHeartbeat({ ...cfg.ipc, label: 'ipc', log, ...(cfg.key ? { key: cfg.key } : {}) }),
  lan: new UdpHeartbeat({ ...cfg.lan, label: 'lan', log, ...(cfg.key ? { key: cfg.key } : {}) }),
};

for (const path of HEARTBEAT_PATHS) {
  sockets[path].on('heartbeat', (hb) => {
    const at = clock();
    watch.heard(path, hb, at);
    shared.heard(path, hb, at);
    arm();
  });
}

port.on('message', (m: MainToWorker) => {
  if (m.type === 'stop') void stop();
});

function beat(now: number): void {
  // The main loop's own heartbeats count too (a restarted thread carries on from them).
  if (shared.lastSent >= 0 && shared.lastSent > (dog.lastSent ?? Number.NEGATIVE_INFINITY))
    dog.lastSent = shared.lastSent;
  const d = dog.tick(now, shared.checkIn);
  if (d.change?.kind === 'hung')
    log({
      level: 'error',
      msg: 'main loop hung: heartbeats stopped',
      sinceMs: Math.round(d.change.sinceMs),
      hangMs: cfg.hangMs,
    });
  else if (d.change?.kind === 'resumed')
    log({
      level: 'warn',
      msg: 'main loop back: heartbeats resumed',
      hungMs: Math.round(d.change.hungMs),
    });
  if (!d.send) return;
  fields = shared.readFields() ?? fields;
  counter = (counter + 1) >>> 0;
  const hb = { ...fields, counter, sentAt: now };
  sockets.ipc.send(hb);
  sockets.lan.send(hb);
  if (d.hole) shared.setHole(d.hole.from, d.hole.to);
  shared.noteSent(now);
}

/** Silence found by a late timer is checked again after this turn's I/O (queued datagrams). */
function checkSilence(): void {
  if (checkPending || watch.pending(clock()).length === 0) return;
  checkPending = true;
  setImmediate(() => {
    checkPending = false;
    const silent = watch.take(clock());
    for (const s of silent) shared.silent(s.path);
    if (silent.length > 0) post({ type: 'silent' });
    arm();
  });
}

/** This thread itself held up (descheduled, blocked) explains holes: logged at most once a second. */
function noteLateness(now: number): void {
  if (timerDueAt !== undefined && now - timerDueAt > cfg.intervalMs) {
    late.max = Math.max(late.max, now - timerDueAt);
    late.count++;
  }
  timerDueAt = undefined;
  if (late.count === 0 || now - late.loggedAt < 1000) return;
  log({
    level: 'warn',
    msg: 'heartbeat thread late',
    maxMs: Math.round(late.max),
    times: late.count,
  });
  late.loggedAt = now;
  late.max = 0;
  late.count = 0;
}

function onTimer(): void {
  timer = undefined;
  if (stopped) return;
  const now = clock();
  noteLateness(now);
  if (now >= nextSendAt) {
    beat(now);
    nextSendAt += cfg.intervalMs;
    if (nextSendAt <= now) nextSendAt = now + cfg.intervalMs; // late: keep the rhythm from now
  }
  checkSilence();
  arm();
}

function arm(): void {
  if (stopped) return;
  const now = clock();
  const expiry = watch.nextExpiry(now);
  const at = expiry === undefined ? nextSendAt : Math.min(nextSendAt, expiry);
  if (timer) clearTimeout(timer);
  // Keep the earliest due time: I/O handled first after a stall must not hide the lateness.
  timerDueAt = Math.min(timerDueAt ?? Number.POSITIVE_INFINITY, Math.max(at, now));
  timer = setTimeout(onTimer, Math.max(0, Math.ceil(at - now)));
}

async function stop(): Promise<void> {
  stopped = true;
  if (timer) clearTimeout(timer);
  await Promise.all([sockets.ipc.stop(), sockets.lan.stop()]);
  port?.close();
}

const priority = await raiseThreadPriority();
log({
  level: priority.policy === 'fifo' ? 'info' : 'warn',
  msg: 'heartbeat thread priority',
  ...priority,
});
await Promise.all([sockets.ipc.start(), sockets.lan.start()]);
onTimer(); // the first heartbeat goes out at once
post({ type: 'ready' });
