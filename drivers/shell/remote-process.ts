/**
 * A long-running command over an SSH channel: streamed output, its remote pid
 * (the login shell reports it, then execs the command, so the pid is the
 * process group sshd created) and kill by signal to that whole group.
 */
import type ssh2 from 'ssh2';
import { type ExecResult, type RemoteProcess, ShellError } from './shell.ts';

export function shQuote(s: string): string {
  return `'${s.replaceAll("'", `'\\''`)}'`;
}

/** The command line that reports the pid before running `cmd`. */
export function spawnCommand(cmd: string): string {
  return `echo "hitless-pid:$$" >&2; exec sh -c ${shQuote(cmd)}`;
}

/**
 * `cmd` (one simple command) run so that it gets `signal` when the channel's
 * standard input ends, i.e. when the SSH connection drops because the
 * caller died. A watcher keeps the input (fd 3) and signals the command,
 * which is exec'd in the shell's place and so keeps the pid the watcher
 * knows as $$; the command itself reads /dev/null. The watcher's own output
 * goes to /dev/null so it never holds the channel open, and as a background
 * job it ignores the SIGINT that a stop sends to the whole process group.
 */
export function stopOnInputEnd(cmd: string, signal = 'TERM'): string {
  return (
    'exec 3<&0 </dev/null; ' +
    `( while read -r _ <&3; do :; done; kill -${signal} $$ 2>/dev/null ) >/dev/null 2>&1 & ` +
    `exec 3<&-; exec ${cmd}`
  );
}

export function remoteProcess(
  ch: ssh2.ClientChannel,
  exited: Promise<{ code: number | null; signal: string | null }>,
  cmd: string,
  where: string,
  exec: (cmd: string) => Promise<ExecResult>,
): RemoteProcess {
  const stdout = new Set<(d: Buffer) => void>();
  const stderr = new Set<(d: Buffer) => void>();
  let pidSeen = false;
  let errHead = '';
  let resolvePid: (pid: number) => void = () => {};
  let rejectPid: (e: Error) => void = () => {};
  const pid = new Promise<number>((res, rej) => {
    resolvePid = res;
    rejectPid = rej;
  });
  pid.catch(() => undefined);
  const emit = (to: Set<(d: Buffer) => void>, d: Buffer) => {
    for (const l of to) l(d);
  };
  ch.on('data', (d: Buffer) => emit(stdout, d));
  ch.stderr.on('data', (d: Buffer) => {
    if (pidSeen) {
      emit(stderr, d);
      return;
    }
    errHead += d.toString('latin1');
    const nl = errHead.indexOf('\n');
    if (nl < 0) return;
    const m = /hitless-pid:(\d+)/.exec(errHead.slice(0, nl));
    pidSeen = true;
    if (m) resolvePid(Number(m[1]));
    else rejectPid(new ShellError('SHELL_EXEC', `${where}: no pid reported for \`${cmd}\``));
    const rest = Buffer.from(errHead.slice(nl + 1), 'latin1');
    if (rest.length) emit(stderr, rest);
  });
  exited.then(() =>
    rejectPid(new ShellError('SHELL_EXEC', `${where}: \`${cmd}\` exited before reporting its pid`)),
  );
  return {
    pid,
    onStdout: (l) => stdout.add(l),
    onStderr: (l) => stderr.add(l),
    wait: () => exited,
    kill: async (signal = 'TERM') => {
      const p = await pid;
      const r = await exec(`kill -${signal} -- -${p} 2>/dev/null || kill -${signal} ${p}`);
      if (r.code !== 0)
        throw new ShellError(
          'SHELL_EXEC',
          `${where}: kill -${signal} ${p} failed: ${r.stderr.trim()}`,
        );
    },
  };
}

export function exitOf(
  ch: ssh2.ClientChannel,
): Promise<{ code: number | null; signal: string | null }> {
  return new Promise((resolve) => {
    let code: number | null = null;
    let signal: string | null = null;
    ch.on('exit', (c: number | null, s?: string) => {
      code = c ?? null;
      signal = s ?? null;
    });
    ch.on('close', () => resolve({ code, signal }));
  });
}
