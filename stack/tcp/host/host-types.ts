/** Options of the TCP host, and what HA plugs into it. */
import type { TcpSegment } from '../../wire/tcp-types.ts';
import type { Addr, TcpEngineApi, TcpInput, TcpOutput } from '../api.ts';
import type { Clock, Scheduler } from './clock.ts';
import type { AppSocket } from './socket-api.ts';

/** Hooks for replication (HA): what the app received and wrote, per socket. */
export interface HostObserver {
  /** Every engine input with the outputs it produced, in order. */
  step?(input: TcpInput, outputs: readonly TcpOutput[]): void;
  delivered?(socket: AppSocket, bytes: Uint8Array): void;
  written?(socket: AppSocket, bytes: Uint8Array): void;
}

export interface TcpHostOptions {
  engine: TcpEngineApi;
  /** Our IPv4 address (the engine's localAddr). */
  localAddr: Addr;
  /** Put a segment on the wire. */
  transmit(src: Addr, dst: Addr, segment: TcpSegment): void;
  clock?: Clock;
  scheduler?: Scheduler;
  /** Must equal the engine's send buffer (DEFAULT_SND_BUF unless configured). */
  sndBuf?: number;
  /** Ephemeral port range for connect, inclusive. */
  ephemeralPorts?: [number, number];
  observer?: HostObserver;
  /** Structured log sink (the daemon's JSON lines). */
  log?(event: Record<string, unknown>): void;
}

/** What the socket layer of a board that takes over a connection must be told. */
export interface AdoptState {
  sso?: boolean;
  outputRegenerable?: boolean;
  /** Bytes the application had read before the takeover. */
  bytesRead?: number;
  /** Bytes the application had written before the takeover. */
  bytesWritten?: number;
  /** Bytes delivered by TCP but not yet read by the application (the engine keeps no copy). */
  unread?: Uint8Array;
}
