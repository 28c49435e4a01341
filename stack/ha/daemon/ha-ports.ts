/** The daemon's real HA transports: IPC over kernel TCP between the IPC addresses, UDP heartbeats on the LAN. */
import type { RpdConfig } from '../../rpd/config.ts';
import { UdpHeartbeat } from '../heartbeat/udp-heartbeat.ts';
import { readKeyFile } from '../ipc/key-file.ts';
import type { HaLog } from '../ipc/log-sink.ts';
import { IpcNodeLink, ipcModeForSlot } from '../ipc/node-link.ts';
import type { IpcPort, LanPort } from '../runtime/ports.ts';

export async function openHaPorts(
  cfg: RpdConfig,
  log: HaLog,
): Promise<{ ipc: IpcPort; lan: LanPort; close(): void }> {
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
  const lan = new UdpHeartbeat({
    local: ha.lan.local,
    mate: ha.lan.mate,
    port: ha.ipc.port + 1,
    ...(key ? { key } : {}),
    log,
  });
  await lan.start();
  await ipc.start();
  return {
    ipc,
    lan,
    close() {
      void ipc.stop();
      void lan.stop();
    },
  };
}
