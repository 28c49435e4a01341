/** Running the system tools the virtual chassis is made of (ip, ssh-keygen, ...). */
import { execFile } from 'node:child_process';
import { LabError } from '../lab/errors.ts';

export interface RunResult {
  stdout: string;
  stderr: string;
  code: number;
}

/** Run a command; a non-zero exit throws VLAB_COMMAND_FAILED unless `allowFail`. */
export function run(
  cmd: string,
  args: string[],
  opts: { input?: string; allowFail?: boolean; timeoutMs?: number } = {},
): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = execFile(
      cmd,
      args,
      { timeout: opts.timeoutMs ?? 20_000, maxBuffer: 16 * 1024 * 1024 },
      (err, stdout, stderr) => {
        const code = err ? (typeof err.code === 'number' ? err.code : 1) : 0;
        if (err && !opts.allowFail) {
          reject(
            new LabError(
              'VLAB_COMMAND_FAILED',
              `${cmd} ${args.join(' ')}: ${stderr.trim() || err.message}`,
            ),
          );
        } else resolve({ stdout, stderr, code });
      },
    );
    if (opts.input !== undefined) child.stdin?.end(opts.input);
  });
}

/** `ip` in a namespace (or the root namespace when ns is undefined), several commands in one batch. */
export async function ipBatch(
  ns: string | undefined,
  lines: string[],
  allowFail = false,
): Promise<RunResult> {
  if (lines.length === 0) return { stdout: '', stderr: '', code: 0 };
  const args = [...(ns ? ['-n', ns] : []), ...(allowFail ? ['-force'] : []), '-batch', '-'];
  return run('ip', args, { input: `${lines.join('\n')}\n`, allowFail });
}

export function ip(ns: string | undefined, args: string[], allowFail = false): Promise<RunResult> {
  return run('ip', [...(ns ? ['-n', ns] : []), ...args], { allowFail });
}

/** Poll `check` until it returns a value other than undefined/false, or throw VLAB_TIMEOUT. */
export async function waitFor<T>(
  what: string,
  check: () => T | undefined | false | Promise<T | undefined | false>,
  timeoutMs: number,
  intervalMs = 25,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await check();
    if (v !== undefined && v !== false) return v;
    if (Date.now() > deadline)
      throw new LabError('VLAB_TIMEOUT', `timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}
