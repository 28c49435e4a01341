/** The control socket refuses bad requests with a reason and keeps serving. */
import { mkdtempSync, rmSync } from 'node:fs';
import { createConnection } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import test from 'ava';
import { requestDaemon } from './status-client.ts';
import { StatusServer } from './status-server.ts';

/** Sends raw bytes and resolves with everything the server wrote before closing or answering. */
function raw(path: string, bytes: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const sock = createConnection(path);
    let got = '';
    sock.setEncoding('utf8');
    sock.on('data', (d: string) => {
      got += d;
      if (got.endsWith('\n')) {
        sock.destroy();
        resolve(got);
      }
    });
    sock.on('error', (err) => (got ? resolve(got) : reject(err)));
    sock.on('close', () => resolve(got));
    sock.write(bytes);
  });
}

test('bad requests get a reason; the server keeps answering', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'hlrpd-status-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const server = new StatusServer(join(dir, 'rpd.sock'));
  server.command('status', () => ({ up: true }));
  server.command('boom', () => {
    throw new Error('handler failed');
  });
  await server.listen();
  t.teardown(() => server.close());

  const long = JSON.parse(await raw(server.path, 'x'.repeat(70 * 1024)));
  t.like(long, { ok: false });
  t.regex(long.error, /request over \d+ bytes without a newline/);
  t.like(JSON.parse(await raw(server.path, 'not json\n')), {
    ok: false,
    error: 'request is not a JSON object',
  });
  await t.throwsAsync(requestDaemon(server.path, { cmd: 'boom' }), {
    message: /daemon refused 'boom': handler failed/,
  });
  t.deepEqual(await requestDaemon(server.path, { cmd: 'status' }), { up: true });
});
