/**
 * An IPC session over a connected byte stream (kernel TCP socket, or an in-memory duplex in
 * tests): sends records, emits the records received, tracks the pipelining window of log
 * records against cumulative confirmations, and reports back-pressure (`canSend` / 'drain').
 * A refused input is logged with its reason, emitted as 'refused', and closes the stream.
 */
import { EventEmitter } from 'node:events';
import type { Duplex } from 'node:stream';
import type { HaError } from '../errors.ts';
import { type HaLog, silentLog } from './log-sink.ts';
import type { IpcRecord } from './records.ts';
import { IpcSession, type SessionOptions } from './session.ts';
import { DEFAULT_WINDOW, PipelineWindow, type WindowLimits } from './window.ts';

export interface ChannelOptions extends SessionOptions {
  window?: WindowLimits;
  /**
   * Bytes the stream may hold unsent before `canSend()` says no. The stream's own high-water
   * mark (16 KiB on a socket) would pause the front after a dozen records: a burst of one loop
   * turn leaves in one write anyway, so a larger bound only costs memory.
   */
  maxQueuedBytes?: number;
  log?: HaLog;
}

export const DEFAULT_MAX_QUEUED_BYTES = 1024 * 1024;

export interface IpcChannelEvents {
  record: [IpcRecord];
  refused: [HaError];
  drain: [];
  close: [reason: string];
}

const MATE_CLOSED = 'mate closed the stream';

/**
 * Whether a close reason says the mate's side ended the stream: its FIN, or its RST (a process
 * that exits with unread input resets), which a write then meets as EPIPE. Not a timeout, not
 * this board's own close.
 */
export function closedByMate(reason: string): boolean {
  return reason === MATE_CLOSED || /\b(ECONNRESET|EPIPE)\b/.test(reason);
}

export class IpcChannel extends EventEmitter<IpcChannelEvents> {
  private readonly session: IpcSession;
  private readonly window: PipelineWindow;
  private readonly log: HaLog;
  private readonly maxQueued: number;
  private streamBlocked = false;
  private corked = false;
  private closed = false;

  constructor(
    private readonly stream: Duplex,
    opts: ChannelOptions = {},
  ) {
    super();
    this.session = new IpcSession(opts);
    this.window = new PipelineWindow(opts.window ?? DEFAULT_WINDOW);
    this.log = opts.log ?? silentLog;
    this.maxQueued = opts.maxQueuedBytes ?? DEFAULT_MAX_QUEUED_BYTES;
    stream.on('data', (chunk: Buffer) => this.onData(chunk));
    stream.on('drain', () => {
      const wasBlocked = this.streamBlocked;
      this.streamBlocked = false;
      if (wasBlocked && this.window.canSend()) this.emit('drain');
    });
    stream.on('error', (err) => this.shutdown(`stream error: ${err.message}`));
    stream.on('close', () => this.shutdown('stream closed'));
    stream.on('end', () => this.shutdown(MATE_CLOSED));
  }

  get isOpen(): boolean {
    return !this.closed;
  }

  get inFlight(): { records: number; bytes: number } {
    return { records: this.window.inFlightRecords, bytes: this.window.inFlightBytes };
  }

  /** True when another log record may be sent without exceeding the window or the stream buffer. */
  canSend(): boolean {
    return !this.closed && !this.streamBlocked && this.window.canSend();
  }

  /**
   * Sends at once (records are never held back here); returns `canSend()` afterwards, so a
   * false means: wait for 'drain' before the next log record.
   */
  send(rec: IpcRecord): boolean {
    if (this.closed) return false;
    const parts = this.session.encodeParts(rec);
    let length = 0;
    for (const p of parts) length += p.length;
    if (rec.type === 'log') this.window.sent(rec.index, length);
    // Records sent in one tick leave in one write (one syscall), not one each.
    if (!this.corked) {
      this.corked = true;
      this.stream.cork();
      process.nextTick(() => {
        this.corked = false;
        this.stream.uncork();
      });
    }
    let accepted = true;
    for (const p of parts) accepted = this.stream.write(p);
    // Past the bound the stream has refused more (write() returned false), so 'drain' follows.
    if (!accepted && this.stream.writableLength >= this.maxQueued) this.streamBlocked = true;
    return this.canSend();
  }

  close(reason = 'closed locally'): void {
    this.shutdown(reason);
  }

  private onData(chunk: Buffer): void {
    if (this.closed) return;
    const { records, error } = this.session.receive(chunk);
    for (const rec of records) {
      if (rec.type === 'confirm') {
        const { drained } = this.window.confirm(rec.index);
        this.emit('record', rec);
        if (drained && !this.streamBlocked) this.emit('drain');
      } else this.emit('record', rec);
      if (this.closed) return;
    }
    if (error) {
      this.log({
        level: 'warn',
        msg: 'ipc input refused',
        code: error.code,
        reason: error.message,
      });
      this.emit('refused', error);
      this.shutdown(`refused: ${error.code}`);
    }
  }

  private shutdown(reason: string): void {
    if (this.closed) return;
    this.closed = true;
    this.window.reset();
    this.stream.destroy();
    this.emit('close', reason);
  }
}
