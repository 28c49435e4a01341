/**
 * HA mode of the board daemon: the TCP socket layer over the replicated engine, the HA runtime
 * (election, IPC and LAN heartbeats, replication log, output commit), the standby's replayer,
 * and takeover (rebase, adopt every SSO connection into the apps, resume, gratuitous ARP).
 * Attached through `startDaemon(file, { attach: [attachHa] })` when the config has `ha`.
 */
import { randomBytes } from 'node:crypto';
import { type RunningApp, startApps } from '../../apps/index.ts';
import { resolveFront } from '../../rpd/config.ts';
import type { Board } from '../../rpd/daemon.ts';
import { configuredBuffers, type EngineOverrides } from '../../rpd/tcp-attach.ts';
import type { TcpSegment } from '../../tcp/api.ts';
import { TcpEngine } from '../../tcp/engine.ts';
import { TcpHost } from '../../tcp/host/host.ts';
import { HaError } from '../errors.ts';
import type { HaLog } from '../ipc/log-sink.ts';
import { Replayer } from '../replication/replayer.ts';
import type { HaNodeConfig } from '../roles/types.ts';
import { type HaHeartbeats, HaRuntime } from '../runtime/ha-runtime.ts';
import type { IpcPort } from '../runtime/ports.ts';
import { alarmTimeoutMs } from './alarm-timeout.ts';
import { frontLinkWatch } from './front-link.ts';
import { frontTso } from './front-offload.ts';
import { openHaPorts } from './ha-ports.ts';
import { registerHaStatus } from './ha-status.ts';
import { InputGate } from './input-gate.ts';
import { mateWatch } from './mate-watch.ts';
import { OverheardInput } from './overheard-input.ts';
import { type PacedOutput, ReleasePacer, releaseSliceBytes } from './release-pacer.ts';
import { ReplicatedEngine } from './replicated-engine.ts';
import { ssoPolicy } from './sso-policy.ts';
import { regenerateStream, streamAppState } from './stream-state.ts';
import { adoptConnections, replicateRebasedState } from './takeover.ts';

export type FrontSegment = { dst: number; segment: TcpSegment };

export interface HaAttachOptions {
  engine?: EngineOverrides;
  /**
   * In-memory ports for tests; default: IPC over kernel TCP and a heartbeat thread with UDP
   * sockets on both paths.
   */
  ports?: { ipc: IpcPort; close?(): void } & HaHeartbeats;
  node?: Partial<Omit<HaNodeConfig, 'slot'>>;
}

export interface HaAttachment {
  ha: HaRuntime<FrontSegment>;
  /** The socket layer of the current term as active. */
  host(): TcpHost;
  engine: ReplicatedEngine;
  replayer: Replayer;
  apps(): RunningApp[];
}

export async function attachHa(board: Board, opts: HaAttachOptions = {}): Promise<HaAttachment> {
  const cfg = board.config;
  if (!cfg.ha) throw new HaError('HA_BAD_STATE', 'the config has no ha section');
  const front = resolveFront(cfg);
  const { loop, ip, log } = board;
  // "mate lost: no takeover" → event `ha-mate-lost`, detail "no takeover".
  const haLog: HaLog = ({ level, msg, ...fields }) => {
    const [head = msg, ...rest] = msg.split(':');
    const detail = rest.join(':').trim();
    log(level, `ha-${head.trim().replace(/\s+/g, '-')}`, detail ? { detail, ...fields } : fields);
  };
  ip.setOwner(false); // the chassis address belongs to the active only: wait for the election
  const engineCfg = { ...configuredBuffers(cfg), ...opts.engine };
  const engine = new TcpEngine({
    mss: front.mtu - 40,
    ...engineCfg,
    tsoMaxBytes: frontTso(board, opts.engine),
    localAddr: front.address,
    isnSecret: new Uint8Array(randomBytes(16)),
  });
  let apps: RunningApp[] = [];
  let host: TcpHost | undefined;
  const appState = streamAppState(
    () => host,
    () => apps,
  );
  let ha: HaRuntime<FrontSegment> | undefined;
  const wrapped = new ReplicatedEngine(
    engine,
    ssoPolicy(cfg.apps),
    {
      replicate: (e) => ha?.replicate(e) ?? 0,
      replicating: () => ha?.replicatesNow() ?? false,
      resolved: (index) => ha?.resolveAwaiting(index),
    },
    appState,
  );
  const send = (dst: number, segment: TcpSegment): void => {
    try {
      if (ip.sendTcp(dst, segment, loop.clock()) === 'queued') loop.poke();
    } catch (err) {
      log('debug', 'tcp-send-failed', { message: (err as Error).message });
    }
  };
  const pacer = new ReleasePacer(setImmediate, releaseSliceBytes(engineCfg.sndBuf));
  const paced = ({ dst, segment }: FrontSegment): PacedOutput => ({
    bytes: segment.payload.length + 54, // with its Ethernet, IPv4 and TCP headers
    send: () => {
      if (ha?.mayTransmit()) send(dst, segment);
    },
  });
  // One socket layer per term as active: after a hand-over its sockets belong to the mate.
  const newHost = (): TcpHost =>
    new TcpHost({
      engine: wrapped,
      localAddr: front.address,
      clock: { now: loop.clock },
      sndBuf: engineCfg.sndBuf,
      transmit: (_src, dst, segment) => {
        if (!ha?.mayTransmit()) return; // a board that lost mastership stays silent
        const dependsOn = wrapped.outputsDependOn();
        if (dependsOn > 0) ha.submit({ dst, segment }, dependsOn);
        else if (pacer.waiting > 0) pacer.push([paced({ dst, segment })]);
        else send(dst, segment);
      },
      log: (e) => log('warn', 'tcp', e),
    });
  let tcpHost = newHost();
  host = tcpHost;
  const replayer = new Replayer(
    engine,
    (_conn, _info, offset, length, state) => regenerateStream(state, offset, length),
    haLog,
  );
  // Back-pressure: while the IPC window is full (or a planned switchover drains the log) the
  // engine gets no new input, so it appends no record the window cannot take.
  const inputs = new InputGate((src, dst, segment) => {
    if (!wrapped.active || !ha?.node.front) return;
    tcpHost.receive(src, dst, segment);
    // The app had its turn: records still held for a consume that did not come go now.
    wrapped.replicator.flushHeld();
    if (!ha.canReplicate()) inputs.pause('ipc-window');
  });
  ip.onTcp((p) => inputs.receive(p.src, p.dst, p.segment));
  const { interval_ms: intervalMs, misses } = cfg.ha.heartbeat;
  const overheard = new OverheardInput({ maxAgeMs: intervalMs * (misses + 1) });
  ip.onOverheardTcp((p, now) => {
    if (ha?.node.role === 'standby') overheard.keep(p.src, p.dst, p.segment, now);
  });

  /** `carryOn`: after a takeover, SSO client apps only carry on what they adopt. */
  const startAppsOnce = (carryOn = false): void => {
    if (apps.length > 0 || cfg.apps.length === 0) return;
    const specs = carryOn
      ? cfg.apps.map((a) => (a.connect !== undefined && a.sso ? { ...a, connections: 0 } : a))
      : cfg.apps;
    apps = startApps(specs, {
      net: tcpHost,
      log: ({ event, ...fields }) =>
        log(event === 'mismatch' ? 'error' : 'info', `app-${String(event)}`, fields),
    });
  };
  let lastTakeover: {
    at: number;
    time: string;
    durationMs: number;
    /** Until every connection was resumed (retransmission and ACK sent). */
    resumedMs: number;
    connections: number;
    /** Segments the peers sent while the active was dead, overheard and fed in at takeover. */
    overheard: number;
    reason: string;
  } | null = null;
  const alarms = {
    raised: 0,
    cleared: 0,
    last: null as { raised: boolean; reason: string; time: string } | null,
  };

  const becomeActive = (reason: string): void => {
    const t0 = loop.clock();
    wrapped.active = true;
    // The verdict's log line before the takeover's: the takeover may come from a heartbeat
    // path falling silent, outside the loop turn that would log it.
    if (reason === 'takeover') watchMate(t0);
    if (reason === 'takeover' || reason === 'switchover') {
      const { conns } = replayer.takeover(t0, false);
      wrapped.freshReplicator().adopt(conns);
      if (reason === 'switchover')
        replicateRebasedState(wrapped.replicator.snapshots(null, t0), (e) => ha?.replicate(e) ?? 0);
      // The peers first: claim the address (the switch relearns the port), retransmit and ACK
      // on every connection; the apps take their sockets back right after, in the same turn.
      ip.setOwner(true);
      ip.announce(loop.clock(), cfg.announce.count, cfg.announce.interval_ms);
      wrapped.discardOnResume = true;
      tcpHost.resume();
      const resumedMs = loop.clock() - t0;
      startAppsOnce(true);
      adoptConnections(
        tcpHost,
        apps,
        conns,
        (conn, n) => wrapped.handle({ kind: 'consume', now: loop.clock(), conn, n }),
        (e) => log('warn', 'ha-adopt', e),
      );
      // What the peers sent while the active was dead, answered now rather than after their RTO.
      const missed = reason === 'takeover' ? overheard.take(loop.clock()) : [];
      for (const m of missed) tcpHost.receive(m.src, m.dst, m.segment);
      overheard.clear();
      tcpHost.flush();
      lastTakeover = {
        at: t0,
        time: new Date(Date.now() - (loop.clock() - t0)).toISOString(),
        durationMs: loop.clock() - t0,
        resumedMs,
        connections: conns.length,
        overheard: missed.length,
        reason,
      };
      log('info', 'ha-takeover', { ...lastTakeover });
    } else {
      startAppsOnce();
      ip.setOwner(true);
      ip.announce(loop.clock(), cfg.announce.count, cfg.announce.interval_ms);
    }
    loop.poke();
  };

  const ports: NonNullable<HaAttachOptions['ports']> =
    opts.ports ?? (await openHaPorts(cfg, haLog, loop.clock));
  const runtime = new HaRuntime<FrontSegment>({
    ...(ports.heartbeats ? { heartbeats: ports.heartbeats } : { lan: ports.lan! }),
    node: {
      slot: cfg.slot,
      intervalMs: cfg.ha.heartbeat.interval_ms,
      misses: cfg.ha.heartbeat.misses,
      alarmTimeoutMs: alarmTimeoutMs(cfg.ha),
      ...opts.node,
    },
    ipc: ports.ipc,
    clock: loop.clock,
    log: haLog,
    hooks: {
      applyRecord: (rec) => replayer.apply(rec.entry, loop.clock()),
      onBulkBegin: () => replayer.reset(),
      snapshots: (conn) => wrapped.replicator.snapshots(conn, loop.clock()),
      ssoConnections: () => wrapped.replicator.ssoConnections(),
      transmit: (released) => {
        if (!runtime.mayTransmit()) return;
        pacer.push(released.map((r) => paced(r.output)));
      },
      onAction: (a) => {
        switch (a.kind) {
          case 'become-active':
            if (a.reason !== 'switchover-aborted') becomeActive(a.reason);
            break;
          case 'pause-inputs':
            if (a.paused) inputs.pause('switchover');
            else inputs.resume('switchover');
            break;
          case 'become-standby':
            inputs.clear(); // the mate serves the front now; the peers retransmit what was held
            pacer.clear();
            wrapped.active = false;
            ip.setOwner(false);
            if (a.reason !== 'election') {
              // Planned: the engine state is the mate's too; replay it from here on. Stepped
              // down (lost mastership while cut off): it diverged; drop it, bulk sync follows.
              replayer.adopt(a.reason === 'switchover' ? wrapped.replicator.exportConns() : []);
              for (const app of apps) app.stop();
              apps = [];
              tcpHost.stop();
              tcpHost = newHost();
              host = tcpHost;
            }
            break;
          case 'front':
            ip.setOwner(a.transmit);
            break;
          case 'alarm':
            if (a.raised) alarms.raised++;
            else alarms.cleared++;
            alarms.last = { raised: a.raised, reason: a.reason, time: new Date().toISOString() };
            log(a.raised ? 'error' : 'info', a.raised ? 'ipc-alarm' : 'ipc-alarm-cleared', {
              reason: a.reason,
            });
            break;
          case 'reassert':
            ip.announce(loop.clock(), cfg.announce.count, cfg.announce.interval_ms);
            break;
          default:
            break;
        }
        loop.poke();
      },
    },
  });
  ha = runtime;
  ip.setSendGate(() => runtime.mayTransmit());
  // Its deadlines can move earlier on an arrival (a switchover's, a probation's): re-arm then.
  const ipcRoomAgain = (): void => {
    inputs.resume('ipc-window');
    loop.poke();
  };
  ports.ipc.on('drain', ipcRoomAgain);
  ports.ipc.on('down', ipcRoomAgain); // nothing is sent while down: records only go to the log
  // Once per burst of records (a bulk sync brings thousands per read), not once per record.
  let pokeQueued = false;
  ports.ipc.on('record', () => {
    if (pokeQueued) return;
    pokeQueued = true;
    queueMicrotask(() => {
      pokeQueued = false;
      loop.poke();
    });
  });
  ports.lan?.on('heartbeat', () => loop.poke());
  const watchMate = mateWatch(runtime.node, loop.clock, log);
  const watchFront = frontLinkWatch(cfg, board.link.name, intervalMs);
  const run = (now: number): void => {
    const up = watchFront(now);
    if (up !== undefined) runtime.input({ kind: 'front-link', up, now });
    runtime.handle(now);
    watchMate(now);
  };
  // A standby about to find its mate dead first lets the heartbeats already waiting in its
  // sockets be read (timers run before I/O in a loop turn; setImmediate runs after it).
  let deferred = false;
  loop.addComponent('ha', {
    nextDeadline: () => (deferred ? undefined : runtime.nextDeadline()),
    handle: (now) => {
      const n = runtime.node;
      if (n.role === 'standby' && n.detector.lastHeartbeat && !n.detector.mateAlive(now)) {
        deferred = true;
        setImmediate(() => {
          deferred = false;
          run(loop.clock());
          loop.poke();
        });
        return;
      }
      run(now);
    },
  });
  registerHaStatus(board, {
    runtime,
    wrapped,
    replayer,
    inputs,
    overheard,
    alarms,
    lastTakeover: () => lastTakeover,
    host: () => tcpHost,
    apps: () => apps,
  });
  void board.done.then(() => {
    tcpHost.stop();
    ports.close?.();
  });
  return { ha: runtime, host: () => tcpHost, engine: wrapped, replayer, apps: () => apps };
}
