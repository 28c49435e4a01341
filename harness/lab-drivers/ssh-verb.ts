/** `hitless ssh HOST [-- CMD]`: a command (exit status passed through) or an interactive shell. */
import { shellFor } from './from-lab.ts';
import { openLab } from './lab-options.ts';

export async function sshVerb(
  host: string,
  cmd: string[],
  opts: { lab?: string; timeout?: number },
): Promise<void> {
  const lab = openLab(opts.lab);
  const shell = shellFor(lab, host);
  try {
    if (cmd.length > 0) {
      const r = await shell.exec(cmd.join(' '), { timeoutMs: opts.timeout ?? 3_600_000 });
      process.stdout.write(r.stdout);
      process.stderr.write(r.stderr);
      process.exitCode = r.code ?? 255;
      return;
    }
    const ch = await shell.openShell({
      rows: process.stdout.rows ?? 24,
      cols: process.stdout.columns ?? 80,
    });
    const stdin = process.stdin;
    if (stdin.isTTY) stdin.setRawMode(true);
    stdin.pipe(ch);
    ch.pipe(process.stdout);
    ch.stderr.pipe(process.stderr);
    const code = await new Promise<number>((resolve) => {
      let status = 0;
      ch.on('exit', (c: number | null) => {
        status = c ?? 255;
      });
      ch.on('close', () => resolve(status));
    });
    stdin.unpipe(ch);
    if (stdin.isTTY) stdin.setRawMode(false);
    stdin.pause();
    process.exitCode = code;
  } finally {
    await shell.close();
  }
}
