/**
 * Child process for ha-pair.net.test.ts: one board's HA runtime with the real adapters (kernel
 * TCP IPC link, UDP LAN heartbeats) and no TCP engine. Prints a JSON line at start and at every
 * change of role, sync, epoch or front: {t, role, sync, epoch, front, alarm}.
 *   argv: slot ipcLocal ipcMate lanLocal lanMate port intervalMs misses
 */
import { UdpHeartbeat } from '../heartbeat/udp-heartbeat.ts';
import { IpcNodeLink, ipcModeForSlot } from '../ipc/node-link.ts';
import { HaRuntime } from './ha-runtime.ts';

const [slot, ipcLocal, ipcMate, lanLocal, lanMate, port, intervalMs, misses] =
  process.argv.slice(2);
const clock = () => Math.floor(performance.now());
const out = (o: object) => process.stdout.write(`${JSON.stringify({ t: clock(), ...o })}\n`);

const ipc = new IpcNodeLink({
  mode: ipcModeForSlot(Number(slot)),
  local: ipcLocal!,
  mate: ipcMate!,
  port: Number(port),
  reconnectMs: 20,
  reconnectMaxMs: 100,
  log: (e) => out({ log: e }),
});
const lan = new UdpHeartbeat({ local: lanLocal!, mate: lanMate!, port: Number(port) + 1 });
let last = '';
const report = () => {
  const s = rt.status();
  const view = { role: s.role, sync: s.sync, epoch: s.epoch, front: s.front, alarm: s.alarm };
  const key = JSON.stringify(view);
  if (key !== last) {
    last = key;
    out(view);
  }
};
const rt = new HaRuntime<never>({
  node: { slot: Number(slot), intervalMs: Number(intervalMs), misses: Number(misses) },
  ipc,
  lan,
  clock,
  log: (e) => out({ log: e }),
  hooks: {
    applyRecord: () => [],
    onBulkBegin: () => {},
    snapshots: () => [],
    transmit: () => {},
    onAction: () => {},
  },
});

await lan.start();
await ipc.start();
let timer: NodeJS.Timeout | undefined;
const loop = () => {
  rt.handle(clock());
  report();
  timer = setTimeout(loop, Math.max(1, rt.nextDeadline() - clock()));
};
for (const ev of ['up', 'down', 'record'] as const) ipc.on(ev, () => queueMicrotask(report));
lan.on('heartbeat', () => queueMicrotask(report));
loop();
process.on('SIGTERM', async () => {
  clearTimeout(timer);
  await ipc.stop();
  await lan.stop();
  process.exit(0);
});
