/**
 * Power: one interface for every way of switching a board's supply. Drivers
 * take plain option objects; the lab model maps its PDU entries onto them.
 */

export type PowerState = 'on' | 'off';
export type PowerAction = 'on' | 'off' | 'cycle';

export interface PowerDriver {
  /** Switches on and returns once the outlet reads back on. */
  on(): Promise<void>;
  /** Switches off and returns once the outlet reads back off. */
  off(): Promise<void>;
  /** Off, a pause, on; each step verified. */
  cycle(): Promise<void>;
  status(): Promise<PowerState>;
  close(): void;
}

export type PowerErrorCode =
  | 'POWER_SNMP'
  | 'POWER_STATE_MISMATCH'
  | 'POWER_BAD_STATE'
  | 'POWER_BAD_OPTIONS'
  | 'POWER_OPERATOR';

export class PowerError extends Error {
  constructor(
    readonly code: PowerErrorCode,
    message: string,
    cause?: unknown,
  ) {
    super(message, cause === undefined ? undefined : { cause });
    this.name = 'PowerError';
  }
}

/** Timing of the read-back loop that follows every set. */
export interface PowerTiming {
  /** How long one set may take to show in the state read back (ms). */
  settleTimeoutMs?: number;
  /** Interval between read-backs (ms). */
  pollMs?: number;
  /** How many times a set is sent again when the state never matched. */
  retries?: number;
  /** Off time during a cycle (ms). */
  cycleOffMs?: number;
}

export interface SnmpPowerOptions extends PowerTiming {
  model: 'apc-masterswitch' | 'apc-rpdu' | 'apc-rpdu2' | 'raritan-px2' | 'cyberpower' | 'eaton';
  /** Name of the PDU, used in error messages. */
  device: string;
  host: string;
  port?: number;
  community: string;
  outlet: number;
  /** eaton only: the delay in seconds written as the command value (default 0). */
  delaySeconds?: number;
  /** SNMP retransmission timeouts (ms). */
  snmpTimeouts?: number[];
}

export interface GenericPowerOptions extends PowerTiming {
  model: 'generic';
  device: string;
  host: string;
  port?: number;
  community: string;
  outlet: number;
  /** OIDs may contain `{outlet}`; otherwise the outlet number is appended. */
  controlOid: string;
  stateOid?: string;
  values: { on: number; off: number };
  /** State values read back; default the command values. */
  stateValues?: { on: number; off: number };
  snmpTimeouts?: number[];
}

export interface ManualPowerOptions extends PowerTiming {
  model: 'manual';
  device: string;
  outlet: number | string;
  /** Where the prompt is written and the answer read (default the terminal). */
  input?: NodeJS.ReadableStream;
  output?: NodeJS.WritableStream;
}

export type PowerOptions = SnmpPowerOptions | GenericPowerOptions | ManualPowerOptions;
