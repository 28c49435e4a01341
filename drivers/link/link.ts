/** Link: pulling and replugging a cable (a switch port), and reading its state. */

export type LinkState = 'up' | 'down';

export interface LinkStatus {
  admin: LinkState;
  /** Carrier as the switch sees it (ifOperStatus name for other values). */
  oper: LinkState | string;
}

export interface LinkDriver {
  /** Replugs the cable; returns once the switch reports carrier (unless told not to wait). */
  up(): Promise<void>;
  /** Pulls the cable; returns once the switch reports carrier lost. */
  down(): Promise<void>;
  status(): Promise<LinkStatus>;
  close(): void;
}

export type LinkErrorCode =
  | 'LINK_SNMP'
  | 'LINK_UNKNOWN_PORT'
  | 'LINK_STATE_MISMATCH'
  | 'LINK_OPERATOR';

export class LinkError extends Error {
  constructor(
    readonly code: LinkErrorCode,
    message: string,
    cause?: unknown,
  ) {
    super(message, cause === undefined ? undefined : { cause });
    this.name = 'LinkError';
  }
}

export interface SnmpIfMibOptions {
  model: 'snmp-ifmib';
  /** Switch name, for messages. */
  device: string;
  /** Cable name, for messages. */
  cable: string;
  host: string;
  port?: number;
  community: string;
  ifName: string;
  /** How long the port may take to show the new state (ms). */
  settleTimeoutMs?: number;
  pollMs?: number;
  /** Wait for ifOperStatus too, not only ifAdminStatus (default true). */
  waitOper?: boolean;
  snmpTimeouts?: number[];
}

export interface ManualLinkOptions {
  model: 'manual';
  cable: string;
  /** What the operator should look for (switch port, label). */
  description: string;
  /** Confirms the state by observation (a switch, a console) when given. */
  observe?: () => Promise<LinkState>;
  settleTimeoutMs?: number;
  input?: NodeJS.ReadableStream;
  output?: NodeJS.WritableStream;
}

export type LinkOptions = SnmpIfMibOptions | ManualLinkOptions;
