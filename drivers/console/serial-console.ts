/**
 * A serial console over serialport: opens the device, logs every byte with a
 * timestamp from open to close, feeds expect(), and when the adapter
 * disappears (USB unplugged, pty gone) reopens it with exponential backoff
 * until it comes back or the console is closed.
 */
import { createWriteStream, mkdirSync, type WriteStream } from 'node:fs';
import { dirname } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { SerialPort } from 'serialport';
import {
  type ConsoleDriver,
  ConsoleError,
  type SerialConsoleOptions,
  type SerialPortLike,
} from './console.ts';
import { TextBuffer } from './text-buffer.ts';

function defaultPort(path: string, baudRate: number): SerialPortLike {
  return new SerialPort({ path, baudRate, autoOpen: false }) as unknown as SerialPortLike;
}

export class SerialConsole implements ConsoleDriver {
  readonly name: string;
  private port: SerialPortLike | undefined;
  private readonly buffer: TextBuffer;
  private readonly listeners = new Set<(data: Buffer) => void>();
  private log: WriteStream | undefined;
  private atLineStart = true;
  private closing = false;
  private reopening: Promise<void> | undefined;
  /** Times the adapter was lost and found again. */
  reopenCount = 0;

  private constructor(private readonly opts: SerialConsoleOptions) {
    this.name = opts.name;
    this.buffer = new TextBuffer(opts.bufferLimit);
  }

  static async open(opts: SerialConsoleOptions): Promise<SerialConsole> {
    const c = new SerialConsole(opts);
    if (opts.logFile) {
      mkdirSync(dirname(opts.logFile), { recursive: true });
      c.log = createWriteStream(opts.logFile, { flags: 'a' });
      c.note(`console ${opts.name} open ${opts.path}`);
    }
    try {
      await c.openPort();
    } catch (err) {
      c.note(`open failed: ${(err as Error).message}`);
      c.log?.end();
      throw new ConsoleError(
        'CONSOLE_OPEN',
        `console ${opts.name}: cannot open ${opts.path}: ${(err as Error).message}`,
        err,
      );
    }
    return c;
  }

  get connected(): boolean {
    return this.port?.isOpen === true;
  }

  async write(text: string): Promise<void> {
    if (this.closing) throw new ConsoleError('CONSOLE_CLOSED', `console ${this.name} is closed`);
    if (this.reopening) await this.reopening;
    const port = this.port;
    if (!port?.isOpen)
      throw new ConsoleError(
        'CONSOLE_WRITE',
        `console ${this.name}: ${this.opts.path} is not open`,
      );
    await new Promise<void>((resolve, reject) => {
      port.write(Buffer.from(text), (err) => {
        if (err)
          reject(
            new ConsoleError(
              'CONSOLE_WRITE',
              `console ${this.name}: write failed: ${err.message}`,
              err,
            ),
          );
        else port.drain((e) => (e ? reject(e) : resolve()));
      });
    });
  }

  async expect(re: RegExp, timeoutMs: number): Promise<RegExpExecArray> {
    const ac = new AbortController();
    const timer = setTimeout(() => ac.abort(), timeoutMs);
    try {
      const m = await this.buffer.wait(re, ac.signal);
      if (m) return m;
    } finally {
      clearTimeout(timer);
    }
    throw new ConsoleError(
      'CONSOLE_TIMEOUT',
      `console ${this.name}: no ${re} within ${timeoutMs} ms; last output: ${JSON.stringify(this.buffer.tail())}`,
    );
  }

  discard(): void {
    this.buffer.clear();
  }

  onData(listener: (data: Buffer) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  async close(): Promise<void> {
    if (this.closing) return;
    this.closing = true;
    const port = this.port;
    this.port = undefined;
    if (port?.isOpen) await new Promise<void>((resolve) => port.close(() => resolve()));
    port?.removeAllListeners();
    this.note(`console ${this.name} closed`);
    await new Promise<void>((resolve) => (this.log ? this.log.end(resolve) : resolve()));
  }

  private openPort(): Promise<void> {
    const port = (this.opts.openPort ?? defaultPort)(this.opts.path, this.opts.baudRate ?? 115200);
    return new Promise<void>((resolve, reject) => {
      port.open((err) => {
        if (err) return reject(err);
        this.port = port;
        port.on('data', (data) => this.received(data));
        port.on('error', (e) => this.note(`port error: ${e.message}`));
        port.on('close', (e) => {
          if (this.closing || this.port !== port) return;
          this.note(`adapter lost: ${e?.message ?? 'closed'}`);
          port.removeAllListeners();
          this.port = undefined;
          this.reopening = this.reopen().finally(() => {
            this.reopening = undefined;
          });
        });
        resolve();
      });
    });
  }

  private async reopen(): Promise<void> {
    let delay = this.opts.reopenInitialMs ?? 100;
    const max = this.opts.reopenMaxMs ?? 5000;
    while (!this.closing) {
      await sleep(delay);
      if (this.closing) return;
      try {
        await this.openPort();
        this.reopenCount++;
        this.note(`reopened ${this.opts.path}`);
        return;
      } catch {
        delay = Math.min(delay * 2, max);
      }
    }
  }

  private received(data: Buffer): void {
    this.writeLog(data.toString('utf8'));
    this.buffer.push(data.toString('utf8'));
    for (const l of this.listeners) l(data);
  }

  private writeLog(text: string): void {
    if (!this.log) return;
    let out = '';
    for (const ch of text) {
      if (this.atLineStart) out += `${new Date().toISOString()} `;
      out += ch;
      this.atLineStart = ch === '\n';
    }
    this.log.write(out);
  }

  private note(what: string): void {
    if (!this.log) return;
    this.log.write(`${this.atLineStart ? '' : '\n'}${new Date().toISOString()} --- ${what} ---\n`);
    this.atLineStart = true;
  }
}
