/** Where HA components write their JSON-line log events (the daemon supplies one). */
export interface HaLogEvent {
  level: 'debug' | 'info' | 'warn' | 'error';
  msg: string;
  [field: string]: unknown;
}
export type HaLog = (event: HaLogEvent) => void;

export const silentLog: HaLog = () => {};
