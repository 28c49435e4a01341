/** How the simulated world builds a board: addresses, its IPC wire, the front, timing, crash. */
import type { MemoryLink } from '../../link/memory-link.ts';
import type { Board } from './board.ts';
import type { CrashPoint } from './crash-point.ts';

export interface BoardConfig {
  name: string;
  skewMs: number;
  chassisAddr: number;
  chassisMac: Uint8Array;
  peerAddr: number;
  ipc: MemoryLink;
  /** Shared by both boards: set when a crash loses the IPC frames in flight. */
  ipcCut: { cut: boolean };
  /** Puts a frame on the front LAN (the world drops it unless this board is on the front). */
  frontSend: (board: Board, frame: Uint8Array) => void;
  /** The switch relearns the chassis MAC on this board's port. */
  claimFront: (board: Board) => void;
  heartbeatMs: number;
  misses: number;
  crash?: CrashPoint;
  /**
   * Active: every this many ms, a snapshot of one SSO connection (in turn) goes into the log
   * unasked, as a resync would send it: snapshots then land mid-stream, send queues full.
   */
  resyncEveryMs?: number;
  /** Chassis-initiated connections still to open: [virtual time, local port], shared. */
  opens: [number, number][];
}
