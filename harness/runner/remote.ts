/**
 * What the runner needs of a lab host: short commands with output and exit
 * code, long-running ones with their output streamed line by line, binary
 * fetches. Long-running commands are written so that the end of their
 * standard input (the SSH channel closing because the runner died) stops
 * them too: nothing of a run outlives it on the lab hosts.
 */
import { shQuote } from '../../drivers/shell/remote-process.ts';
import type { ShellDriver } from '../../drivers/shell/shell.ts';

export interface ExecResult {
  code: number;
  stdout: string;
  stderr: string;
}

export interface StreamHandle {
  /** Stop the command (its stop signal), wait for it to end, kill it after `graceMs`. */
  stop(graceMs?: number): Promise<number>;
  /** Kill it at once. */
  kill(): void;
  /** Exit code (255: the connection failed). */
  done: Promise<number>;
  readonly exited: boolean;
}

export interface RemoteHost {
  readonly name: string;
  exec(command: string, opts?: { timeoutMs?: number; input?: string }): Promise<ExecResult>;
  /** exec that throws RUN_SSH unless the command exits 0. */
  run(command: string, opts?: { timeoutMs?: number; input?: string }): Promise<string>;
  /**
   * A long-running command; `stop` sends `stopSignal` (default TERM) to its
   * process group, or with '' only waits for it to end.
   */
  stream(
    command: string,
    onLine: (line: string, from: 'stdout' | 'stderr') => void,
    stopSignal?: string,
  ): StreamHandle;
  /** Copy a local file to the host (verified). */
  put(localPath: string, remotePath: string): Promise<void>;
  /** Copy a remote file to a local path (verified); returns bytes. */
  fetch(remotePath: string, localPath: string, timeoutMs?: number): Promise<number>;
  /** The host as a shell driver, for drivers that run over one (captures). */
  shellDriver(): ShellDriver;
  /** Forget the connection (the host lost power). */
  reset(): void;
  close(): Promise<void>;
}

export function shellQuote(s: string): string {
  return /^[A-Za-z0-9_./:=@%+-]+$/.test(s) ? s : shQuote(s);
}
