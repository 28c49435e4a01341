/**
 * Logging in and running commands on a console. Login copes with a shell
 * already logged in, an idle console (it sends a newline), a slow boot (it
 * keeps poking until the deadline) and a wrong password (a clear error).
 * run() brackets the command with markers printed from two halves, so the
 * echo of the typed line can never match them.
 */
import { randomBytes } from 'node:crypto';
import { type ConsoleDriver, ConsoleError } from './console.ts';

export interface LoginOptions {
  user: string;
  password: string;
  /** The shell prompt; default a line ending in "# " or "$ ". */
  prompt?: RegExp;
  timeoutMs?: number;
  /** How long to wait for an answer before poking again (ms). */
  pokeMs?: number;
}

const LOGIN = /login:\s*$/;
const PASSWORD = /[Pp]assword:\s*$/;
const INCORRECT = /Login incorrect|Authentication failure|Permission denied/;
const DEFAULT_PROMPT = /[#$] $/;

function anyOf(...res: RegExp[]): RegExp {
  return new RegExp(res.map((r) => `(${r.source})`).join('|'));
}

export async function login(con: ConsoleDriver, opts: LoginOptions): Promise<void> {
  const prompt = opts.prompt ?? DEFAULT_PROMPT;
  const deadline = Date.now() + (opts.timeoutMs ?? 60_000);
  const poke = opts.pokeMs ?? 2000;
  const states = anyOf(INCORRECT, PASSWORD, LOGIN, prompt);
  let sentPassword = false;
  await con.write('\r');
  while (Date.now() < deadline) {
    let m: RegExpExecArray;
    try {
      m = await con.expect(states, Math.min(poke, Math.max(1, deadline - Date.now())));
    } catch (err) {
      if (!(err instanceof ConsoleError) || err.code !== 'CONSOLE_TIMEOUT') throw err;
      await con.write('\r'); // idle console or still booting: ask again
      continue;
    }
    if (m[1] !== undefined) {
      throw new ConsoleError(
        'CONSOLE_LOGIN_FAILED',
        `console ${con.name}: login as ${opts.user} refused (wrong password?)`,
      );
    }
    if (m[2] !== undefined) {
      if (sentPassword) {
        throw new ConsoleError(
          'CONSOLE_LOGIN_FAILED',
          `console ${con.name}: password for ${opts.user} asked again (wrong password?)`,
        );
      }
      sentPassword = true;
      await con.write(`${opts.password}\r`);
    } else if (m[3] !== undefined) {
      if (sentPassword) {
        throw new ConsoleError(
          'CONSOLE_LOGIN_FAILED',
          `console ${con.name}: login as ${opts.user} refused (wrong password?)`,
        );
      }
      await con.write(`${opts.user}\r`);
    } else {
      return; // at a shell prompt
    }
  }
  throw new ConsoleError(
    'CONSOLE_TIMEOUT',
    `console ${con.name}: no shell prompt within ${opts.timeoutMs ?? 60_000} ms`,
  );
}

export interface RunResult {
  output: string;
  code: number;
}

export async function run(con: ConsoleDriver, cmd: string, timeoutMs = 30_000): Promise<RunResult> {
  const tag = randomBytes(4).toString('hex');
  const begin = `HLB${tag}`;
  const end = `HLE${tag}`;
  const half = (s: string) => `'${s.slice(0, 3)}' '${s.slice(3)}'`;
  // One line: the tty echoes it before the shell runs it, so the echo precedes the begin marker.
  await con.write(
    `printf '%s%s\\n' ${half(begin)}; ${cmd}; printf '%s%s:%s\\n' ${half(end)} "$?"\r`,
  );
  await con.expect(new RegExp(`${begin}\\n`), timeoutMs);
  const m = await con.expect(new RegExp(`([\\s\\S]*?)${end}:(\\d+)\\n`), timeoutMs);
  return { output: m[1]!, code: Number(m[2]) };
}
