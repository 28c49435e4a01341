/**
 * The daemon config the runner installs on each board (the keys of issue 4's
 * contract): the chassis address and MAC from the lab, the stream and echo
 * apps with stateful switchover, and the HA block with the lab's IPC
 * addresses, the plan's heartbeat and a per-run shared key.
 */
import { posix } from 'node:path';
import { stringify } from 'yaml';
import type { Board, Lab } from '../lab/schema.ts';
import type { Testplan } from '../plan/schema.ts';
import { RunnerError } from './errors.ts';

export const STREAM_PORT = 5001;
export const ECHO_PORT = 7;
export const IPC_PORT = 7400;
export const DEFAULT_CHASSIS_MAC = '02:00:5e:10:00:01';
export const DEFAULT_CONFIG_PATH = '/root/rpd.yaml';

export interface BoardFiles {
  /** Daemon config path on the board. */
  config: string;
  /** Shared IPC key beside it. */
  keyFile: string;
  /** Status socket directory (private to the board). */
  runDir: string;
  /** Daemon log the board writes. */
  log: string;
}

export function boardFiles(board: Board): BoardFiles {
  const config = board.config ?? DEFAULT_CONFIG_PATH;
  const dir = posix.dirname(config);
  return {
    config,
    keyFile: posix.join(dir, 'hitless-ipc.key'),
    runDir: posix.join(dir, 'hitless-run'),
    log: '/var/log/rpd.log',
  };
}

const toInt = (ip: string) => ip.split('.').reduce((a, o) => a * 256 + Number(o), 0);
const toIp = (n: number) => [24, 16, 8, 0].map((s) => Math.floor(n / 2 ** s) % 256).join('.');

/** The chassis address, with the prefix length of the peers' LAN. */
export function chassisAddress(lab: Lab): { address: string; prefix: number; mac: string } {
  const address = lab.chassis?.address;
  if (!address) throw new RunnerError('RUN_LAB', `lab ${lab.name}: no chassis.address`);
  const prefix = Number(lab.peers[0]?.lan.address.split('/')[1] ?? 24);
  return { address, prefix, mac: lab.chassis?.mac ?? DEFAULT_CHASSIS_MAC };
}

/**
 * The boards' own front LAN addresses (second heartbeat path): the lab file
 * has no field for them, so they are the 2nd and 3rd host addresses of the
 * chassis subnet (slot 0, slot 1).
 */
export function boardLanAddress(lab: Lab, slot: number): string {
  const { address, prefix } = chassisAddress(lab);
  const mask = prefix === 0 ? 0 : (0xffffffff << (32 - prefix)) >>> 0;
  return toIp(((toInt(address) & mask) >>> 0) + 2 + slot);
}

function ipcAddress(board: Board): string {
  const a = board.interfaces.ipcAddress;
  if (!a)
    throw new RunnerError(
      'RUN_LAB',
      `board ${board.name}: no interfaces.ipcAddress for the IPC channel`,
    );
  return a.split('/')[0]!;
}

export interface ConfigOptions {
  /**
   * Replication off: `key` writes `ha.replication: false` (the daemon knows
   * the setting); `no-ha` leaves the HA block out, so each board runs alone
   * and nothing is replicated (a cold standby: the drop the harness must catch).
   */
  replicationOff?: 'key' | 'no-ha';
}

export function daemonConfig(
  lab: Lab,
  board: Board,
  plan: Pick<Testplan, 'stack'>,
  opts: ConfigOptions = {},
): Record<string, unknown> {
  const mate = lab.boards.find((b) => b !== board);
  if (!mate) throw new RunnerError('RUN_LAB', `lab ${lab.name}: needs two boards`);
  const chassis = chassisAddress(lab);
  const files = boardFiles(board);
  const ha: Record<string, unknown> = {
    ipc: { local: ipcAddress(board), mate: ipcAddress(mate), port: IPC_PORT },
    lan: { local: boardLanAddress(lab, board.slot), mate: boardLanAddress(lab, mate.slot) },
    heartbeat: { ...plan.stack.heartbeat },
  };
  if (plan.stack.key_file) ha.key_file = files.keyFile;
  if (opts.replicationOff === 'key') ha.replication = false;
  return {
    slot: board.slot,
    front: {
      tap: 'hl0',
      address: `${chassis.address}/${chassis.prefix}`,
      mac: chassis.mac,
      bridge: board.interfaces.front,
    },
    ...(opts.replicationOff === 'no-ha' ? {} : { ha }),
    apps: [
      { kind: 'stream', port: STREAM_PORT, sso: true },
      { kind: 'echo', port: ECHO_PORT, sso: true },
    ],
    run_dir: files.runDir,
  };
}

export function daemonConfigYaml(
  lab: Lab,
  board: Board,
  plan: Pick<Testplan, 'stack'>,
  opts: ConfigOptions = {},
): string {
  return `# written by hitless run\n${stringify(daemonConfig(lab, board, plan, opts))}`;
}
