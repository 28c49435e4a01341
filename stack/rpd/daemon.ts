/**
 * The board daemon, single-board mode: opens the TAP, owns the chassis
 * address and MAC, answers ARP and ping, announces itself, serves status.
 * The parts are assembled in a Board so the TCP engine and HA attach to it.
 */
import { IpInterface } from '../ip/interface.ts';
import { pinBridgeMac } from '../link/ip-command.ts';
import type { Link } from '../link/link.ts';
import { TapLink } from '../link/tap-link.ts';
import { formatIpv4, formatMac, parseMac } from '../wire/address.ts';
import { loadRpdConfig, type RpdConfig, resolveFront, statusSocketPath } from './config.ts';
import { jsonLogger, type Logger } from './log.ts';
import { EventLoop } from './loop.ts';
import { arpLearner } from './passive-arp.ts';
import { StatusServer } from './status-server.ts';

export interface Board {
  config: RpdConfig;
  link: Link;
  ip: IpInterface;
  loop: EventLoop;
  status: StatusServer;
  log: Logger;
  /** Stop everything; resolves the daemon's `done` promise. */
  stop(reason: string): void;
  done: Promise<void>;
}

export interface StartOptions {
  log?: Logger;
  /** Use this link instead of opening the configured TAP (tests). */
  link?: Link;
  /** Install SIGTERM/SIGINT handlers (default true). */
  handleSignals?: boolean;
  /** Called once the board is assembled, before it announces itself (TCP engine, apps, HA). */
  attach?: ((board: Board) => void | Promise<void>)[];
}

export async function startDaemon(configFile: string, options: StartOptions = {}): Promise<Board> {
  const config = loadRpdConfig(configFile);
  const log = options.log ?? jsonLogger(config.log_level, undefined, { slot: config.slot });
  const front = resolveFront(config);
  const link =
    options.link ??
    TapLink.open(front.tap, {
      up: true,
      mtu: front.mtu,
      ...(front.bridge ? { bridge: front.bridge } : {}),
    });
  if (front.bridge && link instanceof TapLink) {
    // The chassis MAC lives behind the TAP on both boards: pinned, a standby's bridge still
    // delivers what the LAN floods for it once the active's port is gone (kept for takeover).
    try {
      pinBridgeMac(link.name, formatMac(front.mac));
    } catch (err) {
      log('warn', 'bridge-pin-failed', { tap: link.name, message: (err as Error).message });
    }
  }
  const ip = new IpInterface(
    {
      address: front.address,
      prefixLength: front.prefixLength,
      mac: front.mac,
      ...(front.gateway !== undefined ? { gateway: front.gateway } : {}),
      reuseTxBuffer: link.releasesFrameOnSend === true,
    },
    (frame) => link.send(frame),
  );
  const arp = arpLearner(ip, front.prefixLength);
  const loop = new EventLoop({
    link,
    receive: (frame, now) => {
      arp.observe(frame, now); // a standby learns the peers' MACs for its takeover
      ip.receive(frame, now);
    },
    onError: (where, err) =>
      log('error', 'component-error', { where, message: (err as Error).message }),
  });
  loop.addComponent('ip', ip);
  ip.onReceiveError(
    rateLimited(loop.clock, 1000, (where, err, suppressed) =>
      log('error', 'receive-error', {
        where,
        message: (err as Error)?.message ?? String(err),
        suppressed,
      }),
    ),
  );
  if (link instanceof TapLink) {
    link.onError = (message) => log('warn', 'link-read-error', { tap: link.name, message });
  }
  const status = new StatusServer(statusSocketPath(config));
  const startedAt = loop.clock();
  registerStatus(loop, config, ip, link, startedAt);
  loop.addStatus('arp', () => ({ learnedPassively: arp.learned }));
  registerCommands(status, loop, ip, config, log);

  try {
    await status.listen();
  } catch (err) {
    link.close();
    throw err;
  }
  let resolveDone!: () => void;
  const done = new Promise<void>((r) => {
    resolveDone = r;
  });
  let stopped = false;
  const board: Board = {
    config,
    link,
    ip,
    loop,
    status,
    log,
    done,
    stop(reason) {
      if (stopped) return;
      stopped = true;
      loop.stop();
      status.close();
      link.close();
      log('info', 'stopped', { reason, counters: ip.counters.snapshot() });
      if (options.handleSignals !== false) {
        process.off('SIGTERM', onSignal);
        process.off('SIGINT', onSignal);
      }
      resolveDone();
    },
  };
  const onSignal = (signal: NodeJS.Signals) => board.stop(signal);
  if (options.handleSignals !== false) {
    process.on('SIGTERM', onSignal);
    process.on('SIGINT', onSignal);
  }

  try {
    for (const attach of options.attach ?? []) await attach(board);
  } catch (err) {
    board.stop('attach failed');
    throw err;
  }
  loop.start();
  log('info', 'started', {
    pid: process.pid,
    mode: config.ha ? 'ha' : 'single',
    tap: link.name,
    address: config.front.address,
    mac: config.front.mac,
    socket: status.path,
  });
  if (config.apps.length > 0 && !options.attach?.length) {
    log('warn', 'apps-not-started', {
      reason: 'no TCP engine in this build',
      apps: config.apps.map((a) => a.kind),
    });
  }
  // With HA the address is the active's only: a board still electing stays silent.
  if (ip.isOwner) ip.announce(loop.clock(), config.announce.count, config.announce.interval_ms);
  loop.poke();
  return board;
}

/**
 * At most one report per `intervalMs`, saying how many were held back: a
 * packet that trips a bug would otherwise log once per packet.
 */
function rateLimited<A, B>(
  clock: () => number,
  intervalMs: number,
  report: (a: A, b: B, suppressed: number) => void,
): (a: A, b: B) => void {
  let last = Number.NEGATIVE_INFINITY;
  let suppressed = 0;
  return (a, b) => {
    const now = clock();
    if (now - last < intervalMs) {
      suppressed++;
      return;
    }
    last = now;
    report(a, b, suppressed);
    suppressed = 0;
  };
}

function registerStatus(
  loop: EventLoop,
  config: RpdConfig,
  ip: IpInterface,
  link: Link,
  startedAt: number,
): void {
  loop.addStatus('daemon', () => ({
    pid: process.pid,
    slot: config.slot,
    mode: 'single',
    role: ip.isOwner ? 'active' : 'inactive',
    uptime_ms: loop.clock() - startedAt,
  }));
  loop.addStatus('front', () => ({
    tap: link.name,
    address: config.front.address,
    mac: formatMac(ip.macAddress),
    owner: ip.isOwner,
    counters: ip.counters.snapshot(),
    arp: ip.arpCache.list().map((e) => ({
      ip: formatIpv4(e.ip),
      mac: formatMac(e.mac),
      expires_in_ms: e.expires - loop.clock(),
    })),
  }));
  loop.addStatus('apps', () => config.apps.map((a) => ({ ...a, state: 'waiting-for-tcp-engine' })));
}

function registerCommands(
  status: StatusServer,
  loop: EventLoop,
  ip: IpInterface,
  config: RpdConfig,
  log: Logger,
): void {
  status.command('status', () => loop.status());
  // gratuitous ARP now, optionally under a new MAC (board swap, or tests)
  status.command('announce', (req) => {
    if (typeof req.mac === 'string') ip.setMac(parseMac(req.mac));
    const count =
      typeof req.count === 'number'
        ? Math.max(1, Math.min(100, Math.floor(req.count)))
        : config.announce.count;
    ip.announce(loop.clock(), count, config.announce.interval_ms);
    loop.poke();
    log('info', 'announce', { mac: formatMac(ip.macAddress), count });
    return { mac: formatMac(ip.macAddress), count };
  });
}
