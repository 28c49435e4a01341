/** Console: a board's serial console, read and typed on by the harness. */

export type ConsoleErrorCode =
  | 'CONSOLE_OPEN'
  | 'CONSOLE_TIMEOUT'
  | 'CONSOLE_CLOSED'
  | 'CONSOLE_LOGIN_FAILED'
  | 'CONSOLE_WRITE';

export class ConsoleError extends Error {
  constructor(
    readonly code: ConsoleErrorCode,
    message: string,
    cause?: unknown,
  ) {
    super(message, cause === undefined ? undefined : { cause });
    this.name = 'ConsoleError';
  }
}

export interface ConsoleDriver {
  readonly name: string;
  write(text: string): Promise<void>;
  /**
   * Waits for `re` in the text received since the last match (ANSI stripped,
   * CRLF folded); consumes the text up to the end of the match.
   */
  expect(re: RegExp, timeoutMs: number): Promise<RegExpExecArray>;
  /** Forgets unmatched text, so the next expect only sees what comes after. */
  discard(): void;
  /** Raw bytes as they arrive (interactive use). */
  onData(listener: (data: Buffer) => void): () => void;
  close(): Promise<void>;
}

/** A minimal serial port, so tests can pass serialport's mock. */
export interface SerialPortLike {
  readonly isOpen: boolean;
  open(cb: (err: Error | null) => void): void;
  close(cb?: (err: Error | null) => void): void;
  write(data: Buffer, cb?: (err: Error | null | undefined) => void): boolean;
  drain(cb: (err: Error | null) => void): void;
  on(event: 'data', listener: (data: Buffer) => void): this;
  on(event: 'close', listener: (err?: Error & { disconnected?: boolean }) => void): this;
  on(event: 'error', listener: (err: Error) => void): this;
  removeAllListeners(): this;
}

export interface SerialConsoleOptions {
  /** Board name, for messages and the log. */
  name: string;
  /** Device path (/dev/ttyUSB0, a pty path). */
  path: string;
  baudRate?: number;
  /** Every byte received is appended here with a timestamp per line. */
  logFile?: string;
  /** Unmatched text kept for expect (characters). */
  bufferLimit?: number;
  /** Reopen when the adapter disappears: first delay and cap (ms). */
  reopenInitialMs?: number;
  reopenMaxMs?: number;
  /** Port factory; default serialport's SerialPort. */
  openPort?: (path: string, baudRate: number) => SerialPortLike;
}
