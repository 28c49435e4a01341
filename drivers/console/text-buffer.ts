/**
 * The rolling text buffer behind expect(): text is stripped of ANSI/VT100
 * sequences (an escape split across two chunks is held until complete), CRLF
 * and lone CR fold to LF, and only the last `limit` characters are kept.
 */
import { stripVTControlCharacters } from 'node:util';

interface Waiter {
  re: RegExp;
  resolve: (m: RegExpExecArray) => void;
}

// An escape sequence still missing its final byte at the end of a chunk.
const PARTIAL_ESCAPE = /\x1b(?:\[[0-?]*[ -/]*|\][^\x07\x1b]*|[ -/]*)?$/;

export class TextBuffer {
  private text = '';
  private pending = '';
  private readonly waiters = new Set<Waiter>();

  constructor(private readonly limit = 65_536) {}

  push(chunk: string): void {
    let s = this.pending + chunk;
    const partial = PARTIAL_ESCAPE.exec(s);
    this.pending = partial ? partial[0] : '';
    if (partial) s = s.slice(0, partial.index);
    s = stripVTControlCharacters(s).replace(/\r+\n/g, '\n').replace(/\r/g, '\n');
    this.text += s;
    if (this.text.length > this.limit) this.text = this.text.slice(this.text.length - this.limit);
    for (const w of this.waiters) {
      const m = this.match(w.re);
      if (m) {
        this.waiters.delete(w);
        w.resolve(m);
      }
    }
  }

  /** Resolves with the match, or undefined when `signal` fires first. */
  wait(re: RegExp, signal: AbortSignal): Promise<RegExpExecArray | undefined> {
    const m = this.match(re);
    if (m) return Promise.resolve(m);
    return new Promise((resolve) => {
      const w: Waiter = { re, resolve };
      this.waiters.add(w);
      signal.addEventListener('abort', () => {
        if (this.waiters.delete(w)) resolve(undefined);
      });
    });
  }

  /** The unmatched text (for error messages). */
  tail(n = 200): string {
    return this.text.slice(-n);
  }

  clear(): void {
    this.text = '';
  }

  private match(re: RegExp): RegExpExecArray | undefined {
    const g = new RegExp(re.source, re.flags.replace(/[gy]/g, ''));
    const m = g.exec(this.text);
    if (!m) return undefined;
    this.text = this.text.slice(m.index + m[0].length);
    return m;
  }
}
