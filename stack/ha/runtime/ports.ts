/**
 * What the HA runtime needs from its transports: the IPC link (IpcNodeLink, or an in-memory
 * link in tests) and the LAN heartbeat socket (UdpHeartbeat, or in-memory).
 */
import type { EventEmitter } from 'node:events';
import type { HaError } from '../errors.ts';
import type { Heartbeat, IpcRecord } from '../ipc/records.ts';

export interface IpcPortEvents {
  up: [];
  down: [reason: string];
  record: [IpcRecord];
  refused: [HaError];
  drain: [];
}

export interface IpcPort extends EventEmitter<IpcPortEvents> {
  readonly isUp: boolean;
  send(rec: IpcRecord): boolean;
  canSend(): boolean;
  reset(reason: string): void;
}

export interface LanPort extends EventEmitter<{ heartbeat: [Heartbeat]; refused: [HaError] }> {
  send(hb: Heartbeat): void;
}
