/** Shell: commands and files on a lab host over SSH. */

export type ShellErrorCode =
  | 'SHELL_CONNECT'
  | 'SHELL_HOST_UNKNOWN'
  | 'SHELL_HOST_KEY_CHANGED'
  | 'SHELL_AUTH'
  | 'SHELL_TIMEOUT'
  | 'SHELL_CLOSED'
  | 'SHELL_EXEC'
  | 'SHELL_SFTP'
  | 'SHELL_CHECKSUM';

export class ShellError extends Error {
  constructor(
    readonly code: ShellErrorCode,
    message: string,
    cause?: unknown,
  ) {
    super(message, cause === undefined ? undefined : { cause });
    this.name = 'ShellError';
  }
}

export interface ExecResult {
  stdout: string;
  stderr: string;
  /** Exit status; null when the command died from a signal. */
  code: number | null;
  signal: string | null;
}

export interface RemoteProcess {
  /** The remote process id (its process group leader). */
  readonly pid: Promise<number>;
  onStdout(listener: (data: Buffer) => void): void;
  onStderr(listener: (data: Buffer) => void): void;
  /** Sends a signal (default TERM) to the remote process group. */
  kill(signal?: string): Promise<void>;
  /** Resolves when the command has exited. */
  wait(): Promise<{ code: number | null; signal: string | null }>;
}

export interface ShellDriver {
  readonly name: string;
  exec(cmd: string, opts?: { timeoutMs?: number; stdin?: string | Buffer }): Promise<ExecResult>;
  spawn(cmd: string): Promise<RemoteProcess>;
  /** Copies a local file to the host; verified by SHA-256. */
  put(localPath: string, remotePath: string): Promise<void>;
  /** Copies a file from the host; verified by SHA-256. */
  get(remotePath: string, localPath: string): Promise<void>;
  close(): Promise<void>;
}

export interface SshShellOptions {
  /** Host name in the lab, for messages. */
  name: string;
  host: string;
  port?: number;
  user: string;
  privateKey: string | Buffer;
  /** known_hosts text; the host's key must be in it. */
  knownHosts: string;
  connectTimeoutMs?: number;
  keepaliveIntervalMs?: number;
  keepaliveCountMax?: number;
}
