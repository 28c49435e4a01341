/** Where the simulation kills the active: right after it sent a chosen record. */
import type { LogEntry } from '../ipc/records.ts';

/** Crash the active right after it sent the `nth` record of this kind (counted once hot). */
export interface CrashPoint {
  /** 'tcp:<event>' | 'socket-data:<direction>' | 'consumed' | 'snapshot' | 'closed'. */
  kind: string;
  nth: number;
  /** Whether IPC frames already on the wire still reach the standby. */
  inFlightDelivered: boolean;
}

export function recordKind(e: LogEntry): string {
  if (e.kind === 'tcp') return `tcp:${e.event}`;
  if (e.kind === 'socket-data') return `socket-data:${e.direction}`;
  return e.kind;
}

/** Thrown out of the active's replicate() at the crash point; the board catches it and dies. */
export class Crash extends Error {}
