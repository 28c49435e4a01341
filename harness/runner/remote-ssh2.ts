/**
 * RemoteHost over the lab's shell driver (drivers/shell: ssh2, one
 * connection per host, host keys pinned): commands are cheap, so the runner
 * can poll board status often enough to time a switchover. A power cut
 * leaves a connection that looks alive: `reset` drops it, and every command
 * has a deadline that drops it too.
 */
import type { RemoteProcess, ShellDriver } from '../../drivers/shell/shell.ts';
import type { SshShell } from '../../drivers/shell/ssh-shell.ts';
import { RunnerError } from './errors.ts';
import type { ExecResult, RemoteHost, StreamHandle } from './remote.ts';

const withDeadline = <T>(
  p: Promise<T>,
  ms: number,
  onTimeout: () => void,
): Promise<T | 'timeout'> => {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    p.finally(() => clearTimeout(timer)),
    new Promise<'timeout'>((resolve) => {
      timer = setTimeout(() => {
        onTimeout();
        resolve('timeout');
      }, ms);
    }),
  ]);
};

export class Ssh2Host implements RemoteHost {
  readonly name: string;
  private current: SshShell | undefined;

  constructor(
    name: string,
    /** Opens a fresh driver (after a power cut, the old connection is dead). */
    private readonly open: () => SshShell,
  ) {
    this.name = name;
  }

  /** Always the current connection: one opened after a power cut replaces the old. */
  shellDriver(): ShellDriver {
    return {
      name: this.name,
      exec: (cmd, opts) => this.shell.exec(cmd, opts),
      spawn: (cmd) => this.shell.spawn(cmd),
      put: (local, remote) => this.shell.put(local, remote),
      get: (remote, local) => this.shell.get(remote, local),
      close: () => this.close(),
    };
  }

  /** Opened on first use: a virtual lab creates its keys when it comes up. */
  private get shell(): SshShell {
    this.current ??= this.open();
    return this.current;
  }

  /** Forget the connection (the host lost power or rebooted). */
  reset(): void {
    const old = this.current;
    this.current = undefined;
    void old?.close().catch(() => undefined);
  }

  async exec(
    command: string,
    opts: { timeoutMs?: number; input?: string } = {},
  ): Promise<ExecResult> {
    const timeoutMs = opts.timeoutMs ?? 15_000;
    const run = this.shell
      .exec(command, {
        timeoutMs,
        ...(opts.input !== undefined ? { stdin: opts.input } : { stdin: '' }),
      })
      .then((r) => ({ code: r.code ?? 255, stdout: r.stdout, stderr: r.stderr }))
      .catch((err: Error) => ({ code: 255, stdout: '', stderr: err.message }));
    const r = await withDeadline(run, timeoutMs + 1000, () => this.reset());
    return r === 'timeout'
      ? { code: 255, stdout: '', stderr: `no answer within ${timeoutMs} ms` }
      : r;
  }

  async run(command: string, opts: { timeoutMs?: number; input?: string } = {}): Promise<string> {
    const r = await this.exec(command, opts);
    if (r.code !== 0) {
      const why = (r.stderr.trim() || r.stdout.trim()).split('\n').slice(-3).join(' | ');
      throw new RunnerError(
        'RUN_SSH',
        `${this.name}: \`${command.slice(0, 120)}\` exited ${r.code}${why ? `: ${why}` : ''}`,
      );
    }
    return r.stdout;
  }

  stream(
    command: string,
    onLine: (line: string, from: 'stdout' | 'stderr') => void,
    stopSignal = 'TERM',
  ): StreamHandle {
    let exited = false;
    const lines = (from: 'stdout' | 'stderr') => {
      let rest = '';
      return (d: Buffer) => {
        rest += d.toString('utf8');
        let nl = rest.indexOf('\n');
        while (nl >= 0) {
          onLine(rest.slice(0, nl), from);
          rest = rest.slice(nl + 1);
          nl = rest.indexOf('\n');
        }
      };
    };
    const proc: Promise<RemoteProcess | undefined> = this.shell.spawn(command).then(
      (p) => {
        p.onStdout(lines('stdout'));
        p.onStderr(lines('stderr'));
        return p;
      },
      (err: Error) => {
        onLine(`cannot start: ${err.message}`, 'stderr');
        return undefined;
      },
    );
    const done = proc.then(async (p) => (p ? ((await p.wait()).code ?? 255) : 255));
    void done.then(() => {
      exited = true;
    });
    const kill = () => {
      void proc.then((p) => p?.kill('KILL')).catch(() => undefined);
    };
    return {
      done,
      kill,
      get exited() {
        return exited;
      },
      async stop(graceMs = 5000) {
        const p = await proc;
        if (!p || exited) return done;
        if (stopSignal) await p.kill(stopSignal).catch(() => undefined);
        const r = await withDeadline(done, graceMs, kill);
        return r === 'timeout' ? 255 : r;
      },
    };
  }

  async put(localPath: string, remotePath: string): Promise<void> {
    try {
      await this.shell.put(localPath, remotePath);
    } catch (err) {
      throw new RunnerError(
        'RUN_SSH',
        `${this.name}: copying to ${remotePath}: ${(err as Error).message}`,
        err,
      );
    }
  }

  async fetch(remotePath: string, localPath: string, timeoutMs = 120_000): Promise<number> {
    const r = await withDeadline(this.shell.get(remotePath, localPath), timeoutMs, () =>
      this.reset(),
    );
    if (r === 'timeout')
      throw new RunnerError(
        'RUN_SSH',
        `${this.name}: fetching ${remotePath} took over ${timeoutMs} ms`,
      );
    const { statSync } = await import('node:fs');
    return statSync(localPath).size;
  }

  close(): Promise<void> {
    const c = this.current;
    this.current = undefined;
    return c ? c.close() : Promise.resolve();
  }
}
