/** Ask a running daemon over its control socket. */
import { createConnection } from 'node:net';
import { RpdError } from './errors.ts';

export function requestDaemon(
  path: string,
  request: Record<string, unknown>,
  timeoutMs = 3000,
): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const sock = createConnection(path);
    let buffer = '';
    const timer = setTimeout(() => {
      sock.destroy();
      reject(new RpdError('RPD_REQUEST', `no answer from ${path} within ${timeoutMs} ms`));
    }, timeoutMs);
    sock.setEncoding('utf8');
    sock.once('connect', () => sock.write(`${JSON.stringify(request)}\n`));
    sock.on('data', (chunk: string) => {
      buffer += chunk;
      const nl = buffer.indexOf('\n');
      if (nl < 0) return;
      clearTimeout(timer);
      sock.end();
      let reply: { ok?: boolean; result?: unknown; error?: string };
      try {
        reply = JSON.parse(buffer.slice(0, nl));
      } catch {
        reject(new RpdError('RPD_REQUEST', `unreadable answer from ${path}`));
        return;
      }
      if (reply.ok) resolve(reply.result);
      else
        reject(
          new RpdError('RPD_REQUEST', `daemon refused '${String(request.cmd)}': ${reply.error}`),
        );
    });
    sock.once('error', (err: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      const absent = err.code === 'ENOENT' || err.code === 'ECONNREFUSED';
      reject(
        new RpdError(
          absent ? 'RPD_NOT_RUNNING' : 'RPD_REQUEST',
          absent ? `no daemon running on ${path}` : `${path}: ${err.message}`,
        ),
      );
    });
  });
}
