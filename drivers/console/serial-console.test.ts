import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import test from 'ava';
import { ConsoleError } from './console.ts';
import { FakeBoard } from './fake-board.ts';
import { SerialConsole } from './serial-console.ts';
import { login, run } from './session.ts';
import { TextBuffer } from './text-buffer.ts';

let n = 0;
async function setup(
  t: { teardown(fn: () => unknown): void },
  opts: ConstructorParameters<typeof FakeBoard>[1],
) {
  const dir = mkdtempSync(join(tmpdir(), 'hlcon-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const board = new FakeBoard(`/dev/fake-${process.pid}-${n++}`, opts);
  const con = await SerialConsole.open({
    name: 'rp0',
    path: board.path,
    logFile: join(dir, 'rp0.log'),
    openPort: board.factory,
    reopenInitialMs: 20,
    reopenMaxMs: 100,
  });
  t.teardown(() => con.close());
  return { board, con, log: () => readFileSync(join(dir, 'rp0.log'), 'utf8') };
}

test.serial('login on an idle console: sends a newline, user, password', async (t) => {
  const { board, con } = await setup(t, { password: 's3cret' });
  await login(con, { user: 'root', password: 's3cret', timeoutMs: 3000, pokeMs: 300 });
  t.is(board.state, 'shell');
  t.deepEqual(board.typed.slice(0, 3), ['', 'root', 's3cret']);
});

test.serial('login on a shell already logged in sends no user name', async (t) => {
  const { board, con } = await setup(t, { password: 'x', loggedIn: true });
  board.send('root@rp0:~# ');
  await login(con, { user: 'root', password: 'x', timeoutMs: 3000, pokeMs: 300 });
  t.false(board.typed.includes('root'));
});

test.serial('login waits through a slow boot', async (t) => {
  const { board, con } = await setup(t, { password: 'pw', bootMs: 800 });
  const start = Date.now();
  await login(con, { user: 'root', password: 'pw', timeoutMs: 5000, pokeMs: 200 });
  t.true(Date.now() - start >= 700);
  t.is(board.state, 'shell');
});

test.serial('a wrong password is a clear error that does not show the password', async (t) => {
  const { con } = await setup(t, { password: 'right' });
  const err = await t.throwsAsync(
    login(con, { user: 'root', password: 'wrong-pw', timeoutMs: 3000, pokeMs: 300 }),
    {
      instanceOf: ConsoleError,
    },
  );
  t.is(err?.code, 'CONSOLE_LOGIN_FAILED');
  t.regex(err!.message, /rp0.*root.*wrong password/);
  t.notRegex(err!.message, /wrong-pw/);
});

test.serial('login gives up at the deadline when nothing answers', async (t) => {
  const { con } = await setup(t, { password: 'pw', bootMs: 60_000 });
  const err = await t.throwsAsync(
    login(con, { user: 'root', password: 'pw', timeoutMs: 600, pokeMs: 150 }),
  );
  t.is((err as ConsoleError).code, 'CONSOLE_TIMEOUT');
});

test.serial('run returns output and exit code; the echo never matches the markers', async (t) => {
  const { con } = await setup(t, { password: 'pw' });
  await login(con, { user: 'root', password: 'pw', timeoutMs: 3000 });
  const a = await run(con, 'echo hello; echo world', 3000);
  t.is(a.output, 'hello\nworld\n');
  t.is(a.code, 0);
  const b = await run(con, 'echo oops; (exit 3)', 3000);
  t.is(b.code, 3);
  t.is(b.output, 'oops\n');
});

test.serial('expect sees text with ANSI stripped and times out with the last output', async (t) => {
  const { board, con } = await setup(t, { password: 'pw' });
  board.send('\x1b[2J\x1b[1mKernel\x1b[0m panic');
  const m = await con.expect(/Kernel panic/, 1000);
  t.is(m[0], 'Kernel panic');
  board.send('still booting');
  const err = await t.throwsAsync(con.expect(/login:/, 100));
  t.is((err as ConsoleError).code, 'CONSOLE_TIMEOUT');
  t.regex(err!.message, /still booting/);
});

test.serial('the log has a timestamp on every line from open to close', async (t) => {
  const { board, con, log } = await setup(t, { password: 'pw' });
  board.send('line one\r\nline two\r\n');
  await con.expect(/line two/, 1000);
  await con.close();
  const lines = log().trim().split('\n');
  t.regex(lines[0]!, /^\d{4}-\d\d-\d\dT[\d:.]+Z --- console rp0 open/);
  t.true(lines.some((l) => /^\d{4}-\d\d-\d\dT[\d:.]+Z line one/.test(l)));
  t.regex(lines.at(-1)!, /--- console rp0 closed ---$/);
});

test.serial('the adapter disappears and comes back: the console reopens', async (t) => {
  const { board, con, log } = await setup(t, { password: 'pw' });
  await board.unplug();
  await new Promise((r) => setTimeout(r, 150));
  t.false(con.connected);
  board.plugBackIn();
  const deadline = Date.now() + 3000;
  while (!con.connected && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
  t.true(con.connected);
  t.is(con.reopenCount, 1);
  board.send('back again\r\n');
  await con.expect(/back again/, 1000);
  await con.write('\r');
  t.regex(log(), /adapter lost/);
  t.regex(log(), /reopened/);
});

test('text buffer: escape split across chunks, CRLF folded, limit kept', (t) => {
  const b = new TextBuffer(20);
  b.push('abc\x1b[3');
  b.push('1mred\x1b[0m\r\n');
  t.is(b.tail(), 'abcred\n');
  b.push('x'.repeat(30));
  t.is(b.tail().length, 20);
});
