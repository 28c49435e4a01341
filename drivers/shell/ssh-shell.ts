/**
 * SSH shell over ssh2. Host keys are pinned: the server must present a key
 * listed for it in the lab's known_hosts, otherwise the connection is refused
 * naming the host and the offending key. The connection is made lazily and
 * made again after it drops (a board that rebooted).
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import ssh2 from 'ssh2';
import { keysFor } from './known-hosts.ts';
import { exitOf, remoteProcess, shQuote, spawnCommand } from './remote-process.ts';
import {
  type ExecResult,
  type RemoteProcess,
  type ShellDriver,
  ShellError,
  type SshShellOptions,
} from './shell.ts';

type Client = InstanceType<typeof ssh2.Client>;
type Channel = ssh2.ClientChannel;
interface OpenChannel {
  ch: Channel;
  exited: ReturnType<typeof exitOf>;
}

async function sha256File(path: string): Promise<string> {
  const h = createHash('sha256');
  for await (const chunk of createReadStream(path)) h.update(chunk as Buffer);
  return h.digest('hex');
}

export class SshShell implements ShellDriver {
  readonly name: string;
  private client: Client | undefined;
  private connecting: Promise<Client> | undefined;

  constructor(private readonly opts: SshShellOptions) {
    this.name = opts.name;
  }

  private get where(): string {
    return `${this.opts.name} (${this.opts.user}@${this.opts.host}:${this.opts.port ?? 22})`;
  }

  /** Connects now (exec connects on demand); fails fast on key or auth errors. */
  async connect(): Promise<void> {
    await this.ensure();
  }

  /** Retries connecting until the host answers (after a reboot) or the deadline. */
  async waitReachable(timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    let delay = 200;
    for (;;) {
      try {
        await this.ensure();
        return;
      } catch (err) {
        const code = (err as ShellError).code;
        if (code !== 'SHELL_CONNECT' && code !== 'SHELL_CLOSED') throw err;
        if (Date.now() + delay > deadline)
          throw new ShellError(
            'SHELL_CONNECT',
            `${this.where} not reachable within ${timeoutMs} ms: ${(err as Error).message}`,
            err,
          );
        await new Promise((r) => setTimeout(r, delay));
        delay = Math.min(delay * 2, 2000);
      }
    }
  }

  async exec(
    cmd: string,
    opts: { timeoutMs?: number; stdin?: string | Buffer } = {},
  ): Promise<ExecResult> {
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    const { ch, exited: done } = await this.channel(cmd, (c) => {
      c.on('data', (d: Buffer) => out.push(d));
      c.stderr.on('data', (d: Buffer) => err.push(d));
    });
    if (opts.stdin !== undefined) ch.end(opts.stdin);
    const timeoutMs = opts.timeoutMs ?? 60_000;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        ch.signal('KILL');
        ch.close();
        reject(
          new ShellError(
            'SHELL_TIMEOUT',
            `${this.where}: \`${cmd}\` did not finish within ${timeoutMs} ms`,
          ),
        );
      }, timeoutMs);
    });
    try {
      const { code, signal } = await Promise.race([done, timeout]);
      return {
        stdout: Buffer.concat(out).toString(),
        stderr: Buffer.concat(err).toString(),
        code,
        signal,
      };
    } finally {
      clearTimeout(timer);
    }
  }

  async spawn(cmd: string): Promise<RemoteProcess> {
    const { ch, exited } = await this.channel(spawnCommand(cmd));
    return remoteProcess(ch, exited, cmd, this.where, (c) => this.exec(c, { timeoutMs: 10_000 }));
  }

  /** An interactive login shell on a pseudo-terminal (for `hitless ssh HOST`). */
  async openShell(term: { rows: number; cols: number; term?: string }): Promise<Channel> {
    const c = await this.ensure();
    return new Promise((resolve, reject) =>
      c.shell({ rows: term.rows, cols: term.cols, term: term.term ?? 'xterm-256color' }, (e, ch) =>
        e
          ? reject(
              new ShellError('SHELL_EXEC', `${this.where}: cannot open a shell: ${e.message}`, e),
            )
          : resolve(ch),
      ),
    );
  }

  async put(localPath: string, remotePath: string): Promise<void> {
    const sftp = await this.sftp();
    try {
      await new Promise<void>((resolve, reject) =>
        sftp.fastPut(localPath, remotePath, (e) =>
          e ? reject(this.sftpError('put', remotePath, e)) : resolve(),
        ),
      );
    } finally {
      sftp.end();
    }
    await this.verify(localPath, remotePath, 'put');
  }

  async get(remotePath: string, localPath: string): Promise<void> {
    const sftp = await this.sftp();
    try {
      await new Promise<void>((resolve, reject) =>
        sftp.fastGet(remotePath, localPath, (e) =>
          e ? reject(this.sftpError('get', remotePath, e)) : resolve(),
        ),
      );
    } finally {
      sftp.end();
    }
    await this.verify(localPath, remotePath, 'get');
  }

  async close(): Promise<void> {
    const c = this.client;
    this.client = undefined;
    if (!c) return;
    await new Promise<void>((resolve) => {
      c.once('close', () => resolve());
      c.end();
      setTimeout(resolve, 1000).unref();
    });
  }

  private async verify(localPath: string, remotePath: string, op: string): Promise<void> {
    const local = await sha256File(localPath);
    const r = await this.exec(`sha256sum -- ${shQuote(remotePath)}`, { timeoutMs: 60_000 });
    const remote = r.stdout.split(/\s/)[0];
    if (r.code !== 0 || remote !== local)
      throw new ShellError(
        'SHELL_CHECKSUM',
        `${this.where}: ${op} ${remotePath}: SHA-256 mismatch (local ${local}, remote ${remote || r.stderr.trim()})`,
      );
  }

  private sftpError(op: string, path: string, e: Error): ShellError {
    return new ShellError(
      'SHELL_SFTP',
      `${this.where}: SFTP ${op} ${path} failed: ${e.message}`,
      e,
    );
  }

  private async sftp(): Promise<ssh2.SFTPWrapper> {
    const c = await this.ensure();
    return new Promise((resolve, reject) =>
      c.sftp((e, s) =>
        e
          ? reject(new ShellError('SHELL_SFTP', `${this.where}: SFTP: ${e.message}`, e))
          : resolve(s),
      ),
    );
  }

  /**
   * Opens an exec channel. The exit listener is attached inside ssh2's
   * callback: a short command's exit status and close can arrive in the same
   * read as the channel confirmation and would be missed a tick later.
   */
  private async channel(cmd: string, setup?: (ch: Channel) => void): Promise<OpenChannel> {
    const open = (c: Client) =>
      new Promise<OpenChannel>((resolve, reject) =>
        c.exec(cmd, (e, ch) => {
          if (e) return reject(e);
          setup?.(ch);
          resolve({ ch, exited: exitOf(ch) });
        }),
      );
    try {
      return await open(await this.ensure());
    } catch {
      // the connection may have died with the board: one fresh attempt
      this.client = undefined;
      try {
        return await open(await this.ensure());
      } catch (err) {
        if (err instanceof ShellError) throw err;
        throw new ShellError(
          'SHELL_EXEC',
          `${this.where}: cannot run \`${cmd}\`: ${(err as Error).message}`,
          err,
        );
      }
    }
  }

  private ensure(): Promise<Client> {
    if (this.client) return Promise.resolve(this.client);
    this.connecting ??= this.dial().finally(() => {
      this.connecting = undefined;
    });
    return this.connecting;
  }

  private dial(): Promise<Client> {
    const o = this.opts;
    const port = o.port ?? 22;
    const known = keysFor(o.knownHosts, o.host, port).filter((k) => !k.revoked);
    if (known.length === 0)
      return Promise.reject(
        new ShellError(
          'SHELL_HOST_UNKNOWN',
          `${this.where}: host ${o.host} is not in the lab's known_hosts; refusing to connect`,
        ),
      );
    let rejected: ShellError | undefined;
    return new Promise<Client>((resolve, reject) => {
      const c = new ssh2.Client();
      c.on('ready', () => {
        this.client = c;
        resolve(c);
      });
      c.on('error', (e: Error & { level?: string }) => {
        if (rejected) return reject(rejected);
        const auth = e.level === 'client-authentication';
        reject(
          new ShellError(
            auth ? 'SHELL_AUTH' : 'SHELL_CONNECT',
            `${this.where}: ${auth ? 'key authentication failed' : 'connection failed'}: ${e.message}`,
            e,
          ),
        );
      });
      c.on('close', () => {
        if (this.client === c) this.client = undefined;
      });
      c.connect({
        host: o.host,
        port,
        username: o.user,
        privateKey: o.privateKey,
        readyTimeout: o.connectTimeoutMs ?? 10_000,
        keepaliveInterval: o.keepaliveIntervalMs ?? 5000,
        keepaliveCountMax: o.keepaliveCountMax ?? 3,
        algorithms: {
          serverHostKey: [...new Set(known.map((k) => k.type))] as ssh2.ServerHostKeyAlgorithm[],
        },
        hostVerifier: (key: Buffer) => {
          if (known.some((k) => k.blob.equals(key))) return true;
          const fp = createHash('sha256').update(key).digest('base64').replace(/=+$/, '');
          rejected = new ShellError(
            'SHELL_HOST_KEY_CHANGED',
            `${this.where}: host key SHA256:${fp} does not match the lab's known_hosts; refusing to connect (possible impersonation, or the host was reinstalled)`,
          );
          return false;
        },
      });
    });
  }
}
