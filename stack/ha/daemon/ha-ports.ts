/**
 * The daemon's real HA transports: IPC records over kernel TCP between the IPC addresses, and
 * a heartbeat thread with UDP sockets of its own on both paths (the IPC addresses, port
 * `ha.ipc.port`; the boards' front-LAN addresses, port `ha.ipc.port + 1`).
 */
import type { RpdConfig } from '../../rpd/config.ts';
import { HeartbeatThread } from '../heartbeat/heartbeat-thread.ts';
import { readKeyFile } from '../ipc/key-file.ts';
import type { HaLog } from '../ipc/log-sink.ts';
import { IpcNodeLink, ipcModeForSlot } from '../ipc/node-link.ts';
import type { IpcPort } from '../runtime/ports.ts';
import { hangTimeoutMs } from './hang-timeout.ts';

export async function openHaPorts(
  cfg: RpdConfig,
  log: HaLog,
  clock: () => number,
): Promise<{ ipc: IpcPort; heartbeats: HeartbeatThread; close(): void }> {
  const ha = cfg.ha!;
  const key = ha.key_file ? await readKeyFile(ha.key_file) : undefined;
  const ipc = new IpcNodeLink({
    mode: ipcModeForSlot(cfg.slot),
    local: ha.ipc.local,
    mate: ha.ipc.mate,
    port: ha.ipc.port,
    ...(key ? { key } : {}),
    log,
  });
  // Heard from the start, so the boot election listens to the mate for its full time.
  const heartbeats = await HeartbeatThread.start({
    ipc: { local: ha.ipc.local, mate: ha.ipc.mate, port: ha.ipc.port },
    lan: { local: ha.lan.local, mate: ha.lan.mate, port: ha.ipc.port + 1 },
    ...(key ? { key } : {}),
    intervalMs: ha.heartbeat.interval_ms,
    misses: ha.heartbeat.misses,
    hangMs: hangTimeoutMs(ha),
    fields: { slot: cfg.slot, role: 'booting', epoch: 0, sync: 'cold' },
    clock,
    log,
  });
  await ipc.start();
  return {
    ipc,
    heartbeats,
    close() {
      void ipc.stop();
      void heartbeats.stop();
    },
  };
}
