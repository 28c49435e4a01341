/**
 * One virtual host's life: boot as PID 1 of fresh PID/mount/UTS namespaces
 * inside its network namespace, and a power cut that kills every process at
 * once. A board's namespace is deleted on power off (its kernel sockets die
 * with it, nothing is sent) after its link ends have moved to the board's
 * shelf namespace; power on recreates it and moves them back.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { resolveSecret } from '../lab/load.ts';
import type { Board, Lab, Peer } from '../lab/schema.ts';
import { netnsPids } from './build.ts';
import type { VirtualHost } from './files.ts';
import { nsOf, shelfOf } from './names.ts';
import { ip, ipBatch, waitFor } from './sh.ts';
import { boardLinks } from './topology.ts';

const here = dirname(fileURLToPath(import.meta.url));
const CHECKOUT = resolve(here, '../..');

export type PowerState = 'off' | 'booting' | 'on';

export class HostRunner {
  state: PowerState = 'off';
  bootedAt?: number;
  private proc?: ChildProcess;
  private initPid?: number;
  private queue: Promise<unknown> = Promise.resolve();
  private readonly board?: Board;
  private readonly peer?: Peer;

  constructor(
    private readonly lab: Lab,
    readonly host: VirtualHost,
    private readonly onConsole: (data: Buffer) => void,
    private readonly log: (msg: string) => void,
  ) {
    this.board = lab.boards.find((b) => b.name === host.name);
    this.peer = lab.peers.find((p) => p.name === host.name);
  }

  get ns(): string {
    return nsOf(this.lab.prefix, this.host.name);
  }

  /** Serialises power actions on this host. */
  private serial<T>(fn: () => Promise<T>): Promise<T> {
    const next = this.queue.then(fn, fn);
    this.queue = next.catch(() => {});
    return next;
  }

  powerOn(): Promise<void> {
    return this.serial(async () => {
      if (this.state !== 'off') return;
      this.state = 'booting';
      if (this.board) {
        await ip(undefined, ['netns', 'add', this.ns]);
        const shelf = shelfOf(this.lab.prefix, this.host.name);
        await ipBatch(
          shelf,
          boardLinks(this.lab, this.host.name).map((l) => `link set ${l} netns ${this.ns}`),
        );
      }
      this.spawnBoot();
      await this.recordInit();
      if (!this.board) this.state = 'on';
    });
  }

  private spawnBoot(): void {
    const b = this.board;
    const v = this.lab.virtual;
    const env: Record<string, string> = {
      PATH: `${dirname(process.execPath)}:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin`,
      HOME: '/root',
      LANG: 'C.UTF-8',
      HOST: this.host.name,
      ROLE: this.host.role,
      HOST_DIR: this.host.dir,
      MGMT_ADDR: this.host.mgmtCidr,
      SSHD_CONFIG: this.host.sshdConfig,
      BOOT_MS: String(v?.bootMs ?? 2000),
    };
    if (b) {
      Object.assign(env, {
        SLOT: String(b.slot),
        FRONT: b.interfaces.front,
        IPC: b.interfaces.ipc,
        IPC_ADDR: b.interfaces.ipcAddress ?? '',
        FRONT_ADDR: b.interfaces.frontAddress ?? '',
        CONFIG: b.config ?? '',
        DAEMON: v?.daemon ?? `${CHECKOUT}/harness/cli/hitless.mjs rpd`,
        LOGIN: `${here}/console-login.sh`,
        CONSOLE_USER: b.console.user,
        ...consoleCheck(resolveSecret(b.console.password)),
      });
    } else if (this.peer) {
      Object.assign(env, { LAN_IF: this.peer.lan.iface, LAN_ADDR: this.peer.lan.address });
    }
    const proc = spawn(
      'ip',
      [
        'netns',
        'exec',
        this.ns,
        'unshare',
        '--pid',
        '--fork',
        '--kill-child',
        '--mount-proc',
        '--uts',
        'bash',
        `${here}/boot.sh`,
      ],
      { env, stdio: ['pipe', 'pipe', 'pipe'] },
    );
    this.proc = proc;
    this.initPid = undefined;
    const out = (d: Buffer) => {
      this.onConsole(d);
      if (this.state === 'booting' && d.toString().includes(' login: ')) {
        this.state = 'on';
        this.bootedAt = Date.now();
      }
    };
    proc.stdout?.on('data', out);
    proc.stderr?.on('data', out);
    proc.stdin?.on('error', () => {});
    proc.on('exit', (code, signal) => {
      if (this.proc === proc && this.state !== 'off')
        this.log(`${this.host.name}: init exited (${code ?? signal})`);
    });
  }

  /** Keystrokes from the console: they reach the board only while it has power. */
  writeConsole(data: Buffer): void {
    if (this.state !== 'off') this.proc?.stdin?.write(data);
  }

  /** PID (in the root PID namespace) of the host's init, once it runs. */
  async init(): Promise<number> {
    const pid = this.proc?.pid;
    if (!pid) throw new Error(`${this.host.name} is off`);
    return waitFor(
      `${this.host.name} init`,
      () => {
        try {
          const kids = readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim();
          return kids ? Number(kids.split(' ')[0]) : undefined;
        } catch {
          return undefined;
        }
      },
      5000,
      5,
    );
  }

  powerOff(): Promise<void> {
    return this.serial(async () => {
      if (this.state === 'off') return;
      const proc = this.proc;
      this.state = 'off';
      this.bootedAt = undefined;
      // Links leave first: nothing the dying processes or kernel send can get out.
      if (this.board) {
        const shelf = shelfOf(this.lab.prefix, this.host.name);
        await ipBatch(
          this.ns,
          boardLinks(this.lab, this.host.name).map((l) => `link set ${l} netns ${shelf}`),
          true,
        );
      }
      if (proc?.pid) {
        const init = this.initPid ?? (await this.init().catch(() => undefined));
        if (init) tryKill(init);
        tryKill(proc.pid);
        await waitFor(
          `${this.host.name} power off`,
          () => proc.exitCode !== null || proc.signalCode !== null,
          5000,
          5,
        );
      }
      this.proc = undefined;
      if (this.board) {
        // What runs in the board's network outside its PID namespace (`ip netns exec`) goes too.
        for (const pid of await netnsPids(this.ns)) tryKill(pid);
        await ip(undefined, ['netns', 'del', this.ns], true);
      }
    });
  }

  async cycle(pauseMs: number): Promise<void> {
    await this.powerOff();
    await new Promise((r) => setTimeout(r, pauseMs));
    await this.powerOn();
  }

  private async recordInit(): Promise<void> {
    this.initPid = await this.init();
  }
}

/**
 * What the console login checks a password against: a salted SHA-256, so the
 * password itself is in no process's environment or command line (`ps e`).
 */
function consoleCheck(password: string): { CONSOLE_SALT: string; CONSOLE_HASH: string } {
  const salt = randomBytes(8).toString('hex');
  const hash = createHash('sha256').update(`${salt}${password}`).digest('hex');
  return { CONSOLE_SALT: salt, CONSOLE_HASH: hash };
}

function tryKill(pid: number): void {
  try {
    process.kill(pid, 'SIGKILL');
  } catch {
    // already gone
  }
}
