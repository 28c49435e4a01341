/**
 * `hitless console BOARD`: the terminal joined to a board's serial console
 * until the escape key (Ctrl-]) is typed.
 */
import { login } from '../../drivers/console/session.ts';
import { consoleFor, loginOptions } from './from-lab.ts';
import { openLab } from './lab-options.ts';

const ESCAPE = 0x1d; // Ctrl-]

export async function consoleVerb(
  board: string,
  opts: { lab?: string; log?: string; login?: boolean },
): Promise<void> {
  const lab = openLab(opts.lab);
  const con = await consoleFor(lab, board, opts.log);
  const stdin = process.stdin;
  process.stderr.write(`Connected to the console of ${board}. Escape: Ctrl-]\n`);
  const off = con.onData((d) => process.stdout.write(d));
  try {
    if (opts.login) await login(con, { ...loginOptions(lab, board), timeoutMs: 60_000 });
    await new Promise<void>((resolve) => {
      if (stdin.isTTY) stdin.setRawMode(true);
      const onInput = (d: Buffer) => {
        const esc = d.indexOf(ESCAPE);
        const payload = esc >= 0 ? d.subarray(0, esc) : d;
        if (payload.length) void con.write(payload.toString('latin1')).catch(() => undefined);
        if (esc >= 0) finish();
      };
      const finish = () => {
        stdin.off('data', onInput);
        stdin.off('end', finish);
        resolve();
      };
      stdin.on('data', onInput);
      stdin.on('end', finish);
      stdin.resume();
    });
  } finally {
    if (stdin.isTTY) stdin.setRawMode(false);
    stdin.pause();
    off();
    await con.close();
    process.stderr.write(`\nDisconnected from ${board}.\n`);
  }
}
