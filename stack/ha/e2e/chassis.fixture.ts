/**
 * A two-board chassis in network namespaces for the real-process HA tests and benchmark:
 *
 *   board0 ns: br0 ─ TAP hl0 (daemon) ─ kernel LAN address .10 ─ veth uplink ┐
 *              ipc veth 198.18.<S+1>.1 ─────────────┐                      │
 *   board1 ns: same, .11, ipc .2 ───────────────────┘                      │
 *   lan ns:    bridge lan ─ dn0, dn1 (the boards' uplinks) ─ kernel peer .100
 *
 * Each board runs the shipped daemon (`hitless rpd --config`) under `ip netns exec`.
 * Everything created is removed by the cleanup callbacks.
 */
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { requestDaemon } from '../../rpd/status-client.ts';
import { isRoot, netTestsRunnable, nsExec, type Proc, track } from '../../tcp/host/netlab.ts';

export { isRoot, netTestsRunnable, nsExec, type Proc };

const ROOT = join(import.meta.dirname, '../../..');
const CLI = join(ROOT, 'harness/cli/hitless.mjs');
const require = createRequire(import.meta.url);
const pcapParser = require('pcap-parser') as { parse(path: string): NodeJS.EventEmitter };

export type Cleanup = (fn: () => void | Promise<void>) => void;
export type Slot = 0 | 1;
export type Json = Record<string, unknown>;

export interface ChassisOptions {
  /** Unique per test file (namespace names start with it). */
  prefix: string;
  /** Third octet of the front LAN; the IPC link uses the next one. */
  subnet: number;
  apps: string[];
  heartbeat?: { intervalMs: number; misses: number };
  /** Both TCP buffers of every connection, in bytes; absent: the daemon's defaults. */
  tcpBuf?: number;
}

/** Spawn under `ip netns exec` (which execs: the PID is the program's) and follow its JSON lines. */
export function spawnIn(cleanup: Cleanup, ns: string, args: string[]): Proc {
  const child = spawn('ip', ['netns', 'exec', ns, ...args], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return track(child, cleanup);
}

/** Poll an async condition until it holds or the deadline passes. */
export async function until<T>(
  probe: () => Promise<T | undefined> | T | undefined,
  ms: number,
  what: string,
  everyMs = 25,
): Promise<T> {
  const end = Date.now() + ms;
  let last: unknown;
  for (;;) {
    try {
      const v = await probe();
      if (v !== undefined && v !== false) return v;
    } catch (e) {
      last = e;
    }
    if (Date.now() > end)
      throw new Error(`timed out after ${ms} ms waiting for ${what}${last ? `: ${last}` : ''}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

export class Chassis {
  readonly dir: string;
  readonly ns: { board: [string, string]; lan: string };
  readonly chassisAddr: string;
  readonly peerAddr: string;
  readonly chassisMac: string;
  readonly configs: [string, string];
  readonly boards: [Proc | undefined, Proc | undefined] = [undefined, undefined];
  readonly detectionMs: number;

  constructor(
    private readonly cleanup: Cleanup,
    readonly opts: ChassisOptions,
  ) {
    const { prefix, subnet } = opts;
    const hb = opts.heartbeat ?? { intervalMs: 50, misses: 6 };
    this.detectionMs = hb.intervalMs * hb.misses;
    this.ns = { board: [`${prefix}-b0`, `${prefix}-b1`], lan: `${prefix}-lan` };
    this.chassisAddr = `198.18.${subnet}.1`;
    this.peerAddr = `198.18.${subnet}.100`;
    this.chassisMac = `02:00:5e:10:${subnet.toString(16).padStart(2, '0')}:01`;
    this.dir = mkdtempSync(join(tmpdir(), `${prefix}-`));
    cleanup(() => rmSync(this.dir, { recursive: true, force: true }));
    for (const ns of [...this.ns.board, this.ns.lan]) {
      execFileSync('ip', ['netns', 'add', ns]);
      cleanup(() => {
        try {
          execFileSync('ip', ['netns', 'del', ns]);
        } catch {}
      });
      nsExec(ns, 'ip', 'link', 'set', 'lo', 'up');
    }
    const lan = this.ns.lan;
    nsExec(lan, 'ip', 'link', 'add', 'lan', 'type', 'bridge');
    nsExec(lan, 'ip', 'addr', 'add', `${this.peerAddr}/24`, 'dev', 'lan');
    nsExec(lan, 'ip', 'link', 'set', 'lan', 'up');
    for (const slot of [0, 1] as const) {
      const b = this.ns.board[slot];
      nsExec(b, 'ip', 'link', 'add', 'br0', 'type', 'bridge');
      nsExec(
        b,
        'ip',
        'link',
        'add',
        'uplink',
        'type',
        'veth',
        'peer',
        'name',
        `dn${slot}`,
        'netns',
        lan,
      );
      nsExec(b, 'ip', 'link', 'set', 'dev', 'uplink', 'master', 'br0');
      nsExec(lan, 'ip', 'link', 'set', `dn${slot}`, 'master', 'lan');
      nsExec(b, 'ip', 'addr', 'add', `${this.lanAddr(slot)}/24`, 'dev', 'br0');
      for (const dev of ['br0', 'uplink']) nsExec(b, 'ip', 'link', 'set', 'dev', dev, 'up');
      nsExec(lan, 'ip', 'link', 'set', `dn${slot}`, 'up');
    }
    // The boards' kernels as a stock board's: a congestion control that does not pace. This
    // machine's default may be BBR, which (without the fq qdisc) paces every IPC write with a
    // timer of its own: a fifth of the SSO throughput from the peers, for nothing on a cable.
    for (const b of this.ns.board)
      nsExec(b, 'sysctl', '-qw', 'net.ipv4.tcp_congestion_control=reno');
    const [b0, b1] = this.ns.board;
    nsExec(b0, 'ip', 'link', 'add', 'ipc', 'type', 'veth', 'peer', 'name', 'ipc', 'netns', b1);
    for (const slot of [0, 1] as const) {
      const b = this.ns.board[slot];
      nsExec(b, 'ip', 'addr', 'add', `${this.ipcAddr(slot)}/24`, 'dev', 'ipc');
      nsExec(b, 'ip', 'link', 'set', 'ipc', 'up');
    }
    this.configs = [this.writeConfig(0, hb), this.writeConfig(1, hb)];
  }

  lanAddr(slot: Slot): string {
    return `198.18.${this.opts.subnet}.${10 + slot}`;
  }

  ipcAddr(slot: Slot): string {
    return `198.18.${this.opts.subnet + 1}.${1 + slot}`;
  }

  private writeConfig(slot: Slot, hb: { intervalMs: number; misses: number }): string {
    const file = join(this.dir, `rp${slot}.yaml`);
    const mate = (1 - slot) as Slot;
    writeFileSync(
      file,
      [
        `slot: ${slot}`,
        `front: { tap: hl${slot}, address: ${this.chassisAddr}/24, mac: "${this.chassisMac}", bridge: br0 }`,
        'ha:',
        `  ipc: { local: ${this.ipcAddr(slot)}, mate: ${this.ipcAddr(mate)}, port: 7400 }`,
        `  lan: { local: ${this.lanAddr(slot)}, mate: ${this.lanAddr(mate)} }`,
        `  heartbeat: { interval_ms: ${hb.intervalMs}, misses: ${hb.misses} }`,
        ...(this.opts.tcpBuf
          ? [`tcp: { rcv_buf: ${this.opts.tcpBuf}, snd_buf: ${this.opts.tcpBuf} }`]
          : []),
        'apps:',
        ...this.opts.apps.map((a) => `  - ${a}`),
        `run_dir: ${join(this.dir, `run${slot}`)}`,
        'log_level: info',
        '',
      ].join('\n'),
    );
    return file;
  }

  socketPath(slot: Slot): string {
    return join(this.dir, `run${slot}`, `rpd-hl${slot}.sock`);
  }

  /** Start the shipped daemon of one board; resolves once it has started. */
  async start(slot: Slot): Promise<Proc> {
    // The command as shipped (its shebang chooses node's flags), as the harness runs it.
    const p = spawnIn(this.cleanup, this.ns.board[slot], [
      CLI,
      'rpd',
      '--config',
      this.configs[slot],
    ]);
    this.boards[slot] = p;
    await p.waitFor((l) => l.event === 'started', 30_000, `board ${slot} start`);
    return p;
  }

  kill(slot: Slot, signal: NodeJS.Signals = 'SIGKILL'): void {
    const pid = this.boards[slot]?.child.pid;
    if (!pid) throw new Error(`board ${slot} is not running`);
    process.kill(pid, signal);
  }

  status(slot: Slot): Promise<Json> {
    return requestDaemon(this.socketPath(slot), { cmd: 'status' }) as Promise<Json>;
  }

  /** Status through the shipped command: `hitless rpd status --config FILE --json`. */
  cliStatus(slot: Slot): Json {
    const out = nsExec(
      this.ns.board[slot],
      'node',
      CLI,
      'rpd',
      'status',
      '--config',
      this.configs[slot],
      '--json',
    );
    return JSON.parse(out) as Json;
  }

  async ha(slot: Slot): Promise<Json> {
    return ((await this.status(slot)).ha ?? {}) as Json;
  }

  /** Poll a board's `ha` status until pred holds. */
  waitHa(slot: Slot, pred: (ha: Json) => boolean, ms: number, what: string): Promise<Json> {
    let last: Json | undefined;
    return until(
      async () => {
        last = await this.ha(slot);
        return pred(last) ? last : undefined;
      },
      ms,
      what,
    ).catch((e: Error) => {
      throw new Error(`${e.message}; last ha status of board ${slot}: ${JSON.stringify(last)}`);
    });
  }

  /** Both boards up: slot `active` active, the other standby and hot. */
  async startPair(active: Slot = 0): Promise<void> {
    await this.start(active);
    await this.waitHa(active, (h) => h.role === 'active', 15_000, `board ${active} active`);
    const standby = (1 - active) as Slot;
    await this.start(standby);
    await this.waitHa(
      standby,
      (h) => h.role === 'standby' && h.sync === 'hot',
      15_000,
      'standby hot',
    );
  }

  /** `hitless agent` in the LAN namespace: kernel TCP, no reconnects so a drop stays visible. */
  agent(args: Record<string, string | number>): Proc {
    const flat = Object.entries({ 'reconnect-ms': 0, 'stall-ms': 50, ...args }).flatMap(
      ([k, v]) => [`--${k}`, String(v)],
    );
    return spawnIn(this.cleanup, this.ns.lan, [
      'node',
      CLI,
      'agent',
      '--target',
      this.chassisAddr,
      ...flat,
    ]);
  }

  /** A kernel-side job of the TCP interop fixture (bench jobs, echo), in the LAN namespace by default. */
  peerJob(job: Json, ns = this.ns.lan): Proc {
    return spawnIn(this.cleanup, ns, [
      'node',
      '--import=tsx',
      join(ROOT, 'stack/tcp/host/kernel-peer.fixture.ts'),
      JSON.stringify(job),
    ]);
  }

  /** tcpdump in a namespace; `stop()` ends it and returns the frames with their epoch-ms times. */
  async capture(ns: string, dev: string, filter: string[], extra: string[] = []): Promise<Capture> {
    const file = join(this.dir, `${ns}-${dev}-${Date.now()}.pcap`);
    const p = spawnIn(this.cleanup, ns, [
      'tcpdump',
      '-i',
      dev,
      '-n',
      '-U',
      // deliver each frame at once (no 1 s block timeout) and keep root to write the file
      '--immediate-mode',
      '-Z',
      'root',
      '-s',
      '256',
      '-w',
      file,
      ...extra,
      ...filter,
    ]);
    await until(() => (p.stderr().includes('listening on') ? true : undefined), 10_000, 'tcpdump');
    return {
      stop: async () => {
        p.child.kill('SIGINT');
        await p.exited;
        return readPcap(file);
      },
    };
  }
}

export interface Frame {
  ms: number;
  data: Buffer;
}

export interface Capture {
  stop(): Promise<Frame[]>;
}

export function readPcap(file: string): Promise<Frame[]> {
  return new Promise((resolve, reject) => {
    const frames: Frame[] = [];
    const parser = pcapParser.parse(file);
    parser.on(
      'packet',
      (p: { header: { timestampSeconds: number; timestampMicroseconds: number }; data: Buffer }) =>
        frames.push({
          ms: p.header.timestampSeconds * 1000 + p.header.timestampMicroseconds / 1000,
          data: p.data,
        }),
    );
    parser.on('end', () => resolve(frames));
    parser.on('error', reject);
  });
}

/** The stream and echo apps with SSO: what most HA tests serve. */
export const SSO_APPS = [
  '{ kind: stream, port: 5001, sso: true }',
  '{ kind: echo, port: 7, sso: true }',
];

export interface ServedPairOptions {
  prefix: string;
  subnet: number;
  heartbeat?: ChassisOptions['heartbeat'];
  /** Agent connections, stream and echo, both directions. */
  connections: number;
  rateKbps: number;
  /** Bytes every connection verifies before the pair counts as serving. */
  firstProgress: number;
}

/** A hot pair (board 0 active) serving SSO_APPS to the kernel peer's agent. */
export async function servedPair(
  cleanup: Cleanup,
  o: ServedPairOptions,
): Promise<{ ch: Chassis; agent: Proc }> {
  const ch = new Chassis(cleanup, {
    prefix: o.prefix,
    subnet: o.subnet,
    ...(o.heartbeat ? { heartbeat: o.heartbeat } : {}),
    apps: SSO_APPS,
  });
  await ch.startPair(0);
  const agent = ch.agent({
    connections: o.connections,
    apps: 'stream,echo',
    direction: 'both',
    'rate-kbps': o.rateKbps,
  });
  await agentProgress(agent, o.firstProgress, 20_000);
  return { ch, agent };
}

/** The agent's summary line, after SIGTERM. */
export async function stopAgent(p: Proc, ms = 15_000): Promise<Json> {
  p.child.kill('SIGTERM');
  return p.waitFor((l) => l.event === 'summary', ms, 'agent summary');
}

/** Wait until the agent has verified `bytes` more on every connection than at `from`. */
export async function agentProgress(p: Proc, bytes: number, ms: number): Promise<void> {
  const latest = (): number[] => {
    for (let i = p.lines.length - 1; i >= 0; i--) {
      const l = p.lines[i]!;
      if (l.event === 'progress') return (l.conns as number[][]).map((c) => c[2]!);
    }
    return [];
  };
  const base = latest();
  await until(
    () => {
      const now = latest();
      return now.length > 0 && now.every((v, i) => v - (base[i] ?? 0) >= bytes) ? true : undefined;
    },
    ms,
    `agent progress of ${bytes} bytes on every connection`,
  );
}

export function agentErrors(p: Proc): Json[] {
  return p.lines.filter((l) => l.event === 'error');
}

export function agentStalls(p: Proc): Json[] {
  return p.lines.filter((l) => l.event === 'stall');
}
