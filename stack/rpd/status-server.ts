/**
 * The daemon's control socket (Unix stream socket): one JSON request per
 * line, `{"cmd":"status"}`, answered with one JSON line.
 */
import { existsSync, mkdirSync, unlinkSync } from 'node:fs';
import { createConnection, createServer, type Server } from 'node:net';
import { dirname } from 'node:path';
import { RpdError } from './errors.ts';

export type CommandHandler = (request: Record<string, unknown>) => unknown;

const MAX_REQUEST = 64 * 1024;

function isAlive(path: string): Promise<boolean> {
  return new Promise((resolve) => {
    const sock = createConnection(path);
    sock.once('connect', () => {
      sock.destroy();
      resolve(true);
    });
    sock.once('error', () => resolve(false));
  });
}

export class StatusServer {
  private server: Server | undefined;
  private readonly commands = new Map<string, CommandHandler>();

  constructor(readonly path: string) {}

  command(name: string, handler: CommandHandler): void {
    this.commands.set(name, handler);
  }

  /** Listen; a stale socket left by a killed daemon is removed, a live one is an error. */
  async listen(): Promise<void> {
    mkdirSync(dirname(this.path), { recursive: true });
    if (existsSync(this.path)) {
      if (await isAlive(this.path)) {
        throw new RpdError('RPD_RUNNING', `another daemon answers on ${this.path}`);
      }
      unlinkSync(this.path);
    }
    const server = createServer((sock) => {
      let buffer = '';
      sock.setEncoding('utf8');
      sock.on('error', () => sock.destroy());
      sock.on('data', (chunk: string) => {
        if (sock.writableEnded) return; // refused already: ignore the rest of it
        buffer += chunk;
        if (buffer.length > MAX_REQUEST) {
          buffer = '';
          sock.end(
            `${JSON.stringify({ ok: false, error: `request over ${MAX_REQUEST} bytes without a newline` })}\n`,
          );
          return;
        }
        let nl = buffer.indexOf('\n');
        while (nl >= 0) {
          const line = buffer.slice(0, nl);
          buffer = buffer.slice(nl + 1);
          if (line.trim()) sock.write(`${JSON.stringify(this.answer(line))}\n`);
          nl = buffer.indexOf('\n');
        }
      });
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', (err) =>
        reject(new RpdError('RPD_SOCKET', `cannot listen on ${this.path}: ${err.message}`)),
      );
      server.listen(this.path, () => resolve());
    });
    this.server = server;
  }

  private answer(line: string): unknown {
    let request: Record<string, unknown>;
    try {
      const parsed: unknown = JSON.parse(line);
      if (typeof parsed !== 'object' || parsed === null) throw new Error('not an object');
      request = parsed as Record<string, unknown>;
    } catch {
      return { ok: false, error: 'request is not a JSON object' };
    }
    const handler = this.commands.get(String(request.cmd));
    if (!handler) {
      return {
        ok: false,
        error: `unknown command '${String(request.cmd)}'`,
        commands: [...this.commands.keys()],
      };
    }
    try {
      return { ok: true, result: handler(request) };
    } catch (err) {
      return { ok: false, error: (err as Error).message };
    }
  }

  close(): void {
    this.server?.close();
    this.server = undefined;
    try {
      unlinkSync(this.path);
    } catch {
      // already gone
    }
  }
}
