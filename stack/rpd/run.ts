/** What the `hitless rpd` command runs: the daemon in the foreground, and requests to it. */
import { loadRpdConfig, statusSocketPath } from './config.ts';
import { startDaemon } from './daemon.ts';
import { requestDaemon } from './status-client.ts';
import { attachTcp } from './tcp-attach.ts';

/** Run until SIGTERM/SIGINT. */
export async function runDaemon(configFile: string): Promise<void> {
  const board = await startDaemon(configFile, {
    attach: [
      async (b) => {
        if (!b.config.ha) {
          attachTcp(b);
          return;
        }
        // HA mode: TCP, apps and replication are wired by the HA layer.
        const { attachHa } = await import('../ha/daemon/ha-attach.ts');
        await attachHa(b);
      },
    ],
  });
  await board.done;
  // everything is closed; if a handle still lingers, do not hang the shutdown
  setTimeout(() => process.exit(0), 2000).unref();
}

export function daemonRequest(
  configFile: string,
  request: Record<string, unknown>,
): Promise<unknown> {
  return requestDaemon(statusSocketPath(loadRpdConfig(configFile)), request);
}

/** Planned switchover: resolves when the mate has taken over; RpdError otherwise. */
export async function daemonSwitchover(configFile: string, timeoutMs?: number) {
  const { switchoverAndWait } = await import('./switchover-client.ts');
  return switchoverAndWait(
    statusSocketPath(loadRpdConfig(configFile)),
    timeoutMs !== undefined ? { timeoutMs } : {},
  );
}

export function daemonStatus(configFile: string): Promise<unknown> {
  return daemonRequest(configFile, { cmd: 'status' });
}

interface StatusView {
  daemon?: { pid?: number; slot?: number; mode?: string; role?: string; uptime_ms?: number };
  front?: {
    tap?: string;
    address?: string;
    mac?: string;
    counters?: {
      rx: number;
      delivered: number;
      droppedTotal: number;
      tx: number;
      dropped: Record<string, number>;
    };
    arp?: { ip: string; mac: string }[];
  };
  apps?: { kind: string; port?: number; connect?: string; state: string }[];
  ha?: {
    role?: string;
    sync?: string;
    epoch?: number;
    alarm?: string | null;
    lag?: { records: number; bytes: number };
    mate?: { ipc: boolean; lan: boolean };
  };
}

export function formatStatus(raw: unknown): string {
  const s = raw as StatusView;
  const d = s.daemon ?? {};
  const f = s.front ?? {};
  const c = f.counters;
  const lines = [
    `rpd pid ${d.pid} slot ${d.slot} ${d.mode} ${d.role}, up ${Math.round((d.uptime_ms ?? 0) / 1000)} s`,
    `front ${f.tap} ${f.address} ${f.mac}`,
  ];
  if (c) {
    lines.push(`  rx ${c.rx}  delivered ${c.delivered}  dropped ${c.droppedTotal}  tx ${c.tx}`);
    for (const [reason, n] of Object.entries(c.dropped)) lines.push(`    dropped ${reason}: ${n}`);
  }
  const ha = s.ha;
  if (ha) {
    lines.push(
      `ha ${ha.role} sync ${ha.sync} epoch ${ha.epoch}, mate ipc ${ha.mate?.ipc ? 'up' : 'down'} lan ${ha.mate?.lan ? 'up' : 'down'}` +
        `${ha.lag ? `, lag ${ha.lag.records} records ${ha.lag.bytes} B` : ''}${ha.alarm ? `, ALARM ${ha.alarm}` : ''}`,
    );
  }
  for (const e of f.arp ?? []) lines.push(`  arp ${e.ip} ${e.mac}`);
  for (const a of s.apps ?? []) lines.push(`app ${a.kind} ${a.port ?? a.connect}: ${a.state}`);
  return `${lines.join('\n')}\n`;
}
