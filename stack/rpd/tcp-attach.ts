/**
 * Attaches TCP and the configured apps to a board: an engine owning the
 * chassis address, the host driving it in real time over the interface's TCP
 * hook, the apps of the config on top, and their status.
 */
import { randomBytes } from 'node:crypto';
import { type RunningApp, startApps } from '../apps/index.ts';
import { TapLink } from '../link/tap-link.ts';
import type { TcpConfig } from '../tcp/api.ts';
import { TSO_MAX_PAYLOAD } from '../tcp/create.ts';
import { TcpEngine } from '../tcp/engine.ts';
import { TcpHost } from '../tcp/host/host.ts';
import { type RpdConfig, resolveFront } from './config.ts';
import type { Board } from './daemon.ts';

export interface TcpAttachment {
  host: TcpHost;
  apps: RunningApp[];
}

const APP_EVENT_LEVEL: Record<string, 'info' | 'warn' | 'error'> = {
  mismatch: 'error',
  'bad-hello': 'warn',
  error: 'warn',
  'connect-failed': 'warn',
};

/** Engine settings beyond the defaults (tests and benchmarks pass their own). */
export type EngineOverrides = Partial<Omit<TcpConfig, 'localAddr' | 'isnSecret'>>;

/** The config's `tcp` buffers as engine settings (tests and benchmarks may override them). */
export function configuredBuffers(config: RpdConfig): { rcvBuf: number; sndBuf: number } {
  return { rcvBuf: config.tcp.rcv_buf, sndBuf: config.tcp.snd_buf };
}

/**
 * Segmentation offload when the link is a TAP that can do it (unless the
 * overrides say `tsoMaxBytes: 0`): the kernel takes and hands us TCP
 * super-segments of up to 64 KiB, one syscall each instead of one per MTU.
 */
function linkTso(board: Board, engine: EngineOverrides): number {
  const { link } = board;
  if (engine.tsoMaxBytes === 0 || !(link instanceof TapLink) || !link.vnetHdr) return 0;
  try {
    if (!link.enableTso()) return 0;
  } catch (err) {
    board.log('warn', 'tap-offload-failed', { message: (err as Error).message });
    return 0;
  }
  return engine.tsoMaxBytes ?? TSO_MAX_PAYLOAD;
}

export function attachTcp(board: Board, engine: EngineOverrides = {}): TcpAttachment {
  const front = resolveFront(board.config);
  const { loop, ip, log } = board;
  engine = { ...configuredBuffers(board.config), ...engine };
  const tsoMaxBytes = linkTso(board, engine);
  if (tsoMaxBytes > 0) log('info', 'tcp-offload', { tap: board.link.name, tsoMaxBytes });
  const host = new TcpHost({
    engine: new TcpEngine({
      mss: front.mtu - 40,
      ...engine,
      tsoMaxBytes,
      localAddr: front.address,
      isnSecret: new Uint8Array(randomBytes(16)),
    }),
    localAddr: front.address,
    clock: { now: loop.clock },
    ...(engine.sndBuf !== undefined ? { sndBuf: engine.sndBuf } : {}),
    transmit: (_src, dst, segment) => {
      try {
        // A segment waiting for ARP gives the interface a deadline of its own.
        if (ip.sendTcp(dst, segment, loop.clock()) === 'queued') loop.poke();
      } catch (err) {
        // The link is gone (daemon stopping): TCP retransmits or the connection ends.
        log('debug', 'tcp-send-failed', { message: (err as Error).message });
      }
    },
    log: (e) => log('warn', 'tcp', e),
  });
  ip.onTcp((packet) => host.receive(packet.src, packet.dst, packet.segment));
  const apps = startApps(board.config.apps, {
    net: host,
    log: ({ event, ...fields }) => {
      const name = String(event);
      log(APP_EVENT_LEVEL[name] ?? 'info', `app-${name}`, fields);
    },
  });
  void board.done.then(() => host.stop());
  loop.addStatus('tcp', () => host.status());
  loop.addStatus('apps', () =>
    apps.map((a) => ({
      kind: a.spec.kind,
      ...(a.spec.port !== undefined ? { port: a.spec.port } : { connect: a.spec.connect }),
      sso: a.spec.sso,
      state: 'running',
      ...a.stats(),
    })),
  );
  return { host, apps };
}
