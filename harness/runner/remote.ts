/**
 * Commands on lab hosts over SSH (OpenSSH client, host keys pinned by the
 * lab's known_hosts): short commands with output and exit code, long-running
 * ones with their output streamed line by line and a stop that closes their
 * standard input, and binary fetches. A long-running command is started in
 * its own process group, so a Ctrl-C at the terminal does not cut it before
 * the runner has collected what it says on the way out; if the runner dies,
 * the SSH channel closes and the remote side sees end of input.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { RunnerError } from './errors.ts';

export interface SshTarget {
  name: string;
  host: string;
  port: number;
  user: string;
  keyFile: string;
  knownHosts: string;
}

export interface ExecResult {
  code: number;
  stdout: string;
  stderr: string;
}

export interface StreamHandle {
  /** Close standard input and wait for the command to end (then kill it). */
  stop(graceMs?: number): Promise<number>;
  /** Kill the SSH client at once. */
  kill(): void;
  /** Exit code of the SSH client (255: connection failed). */
  done: Promise<number>;
  readonly exited: boolean;
}

export interface RemoteHost {
  readonly name: string;
  exec(command: string, opts?: { timeoutMs?: number; input?: string }): Promise<ExecResult>;
  /** exec that throws RUN_SSH unless the command exits 0. */
  run(command: string, opts?: { timeoutMs?: number; input?: string }): Promise<string>;
  stream(command: string, onLine: (line: string, from: 'stdout' | 'stderr') => void): StreamHandle;
  /** Copy a remote file to a local path (the command's stdout); returns bytes. */
  fetch(remotePath: string, localPath: string, timeoutMs?: number): Promise<number>;
}

export function shellQuote(s: string): string {
  return /^[A-Za-z0-9_./:=@%+-]+$/.test(s) ? s : `'${s.replaceAll("'", "'\\''")}'`;
}

export class OpenSshHost implements RemoteHost {
  readonly name: string;

  constructor(private readonly t: SshTarget) {
    this.name = t.name;
  }

  private args(command: string): string[] {
    return [
      '-o',
      'BatchMode=yes',
      '-o',
      'StrictHostKeyChecking=yes',
      '-o',
      `UserKnownHostsFile=${this.t.knownHosts}`,
      '-o',
      'GlobalKnownHostsFile=/dev/null',
      '-o',
      'ConnectTimeout=3',
      '-o',
      'ServerAliveInterval=2',
      '-o',
      'ServerAliveCountMax=3',
      '-o',
      'LogLevel=ERROR',
      '-i',
      this.t.keyFile,
      '-p',
      String(this.t.port),
      `${this.t.user}@${this.t.host}`,
      command,
    ];
  }

  exec(command: string, opts: { timeoutMs?: number; input?: string } = {}): Promise<ExecResult> {
    const timeoutMs = opts.timeoutMs ?? 15_000;
    return new Promise((resolve) => {
      const child = spawn('ssh', this.args(command), { stdio: ['pipe', 'pipe', 'pipe'] });
      let stdout = '';
      let stderr = '';
      child.stdout.setEncoding('utf8').on('data', (d: string) => {
        stdout += d;
      });
      child.stderr.setEncoding('utf8').on('data', (d: string) => {
        stderr += d;
      });
      const timer = setTimeout(() => {
        stderr += `\n(timed out after ${timeoutMs} ms)`;
        child.kill('SIGKILL');
      }, timeoutMs);
      child.on('error', (err) => {
        stderr += err.message;
      });
      child.on('close', (code, signal) => {
        clearTimeout(timer);
        resolve({ code: code ?? (signal ? 255 : 0), stdout, stderr });
      });
      child.stdin.on('error', () => {});
      child.stdin.end(opts.input ?? '');
    });
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

  stream(command: string, onLine: (line: string, from: 'stdout' | 'stderr') => void): StreamHandle {
    const child: ChildProcess = spawn('ssh', this.args(command), {
      stdio: ['pipe', 'pipe', 'pipe'],
      detached: true,
    });
    let exited = false;
    const lines = (from: 'stdout' | 'stderr') => {
      let rest = '';
      return (d: string) => {
        rest += d;
        let nl = rest.indexOf('\n');
        while (nl >= 0) {
          onLine(rest.slice(0, nl), from);
          rest = rest.slice(nl + 1);
          nl = rest.indexOf('\n');
        }
      };
    };
    child.stdout?.setEncoding('utf8').on('data', lines('stdout'));
    child.stderr?.setEncoding('utf8').on('data', lines('stderr'));
    child.stdin?.on('error', () => {});
    const done = new Promise<number>((resolve) => {
      child.on('error', () => {
        exited = true;
        resolve(255);
      });
      child.on('close', (code) => {
        exited = true;
        resolve(code ?? 255);
      });
    });
    const kill = () => {
      if (!exited) child.kill('SIGKILL');
    };
    return {
      done,
      kill,
      get exited() {
        return exited;
      },
      async stop(graceMs = 5000) {
        child.stdin?.end();
        const timer = setTimeout(kill, graceMs);
        const code = await done;
        clearTimeout(timer);
        return code;
      },
    };
  }

  fetch(remotePath: string, localPath: string, timeoutMs = 120_000): Promise<number> {
    return new Promise((resolve, reject) => {
      const child = spawn('ssh', this.args(`cat ${shellQuote(remotePath)}`), {
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      const out = createWriteStream(localPath);
      let bytes = 0;
      let stderr = '';
      child.stdout.on('data', (d: Buffer) => {
        bytes += d.length;
      });
      child.stdout.pipe(out);
      child.stderr.setEncoding('utf8').on('data', (d: string) => {
        stderr += d;
      });
      const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
      child.on('close', (code) => {
        clearTimeout(timer);
        out.end(() => {
          if (code === 0) resolve(bytes);
          else
            reject(
              new RunnerError(
                'RUN_SSH',
                `${this.name}: fetching ${remotePath} failed (exit ${code}): ${stderr.trim()}`,
              ),
            );
        });
      });
    });
  }
}
