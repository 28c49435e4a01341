/**
 * Test fixture: two network namespaces joined by a veth pair (offloads off),
 * tcpdump on the server's side, and kernel TCP between a small Node client
 * and server. Everything it creates is removed by `destroy()`, by name and PID.
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TcpFlag } from '../../../stack/wire/tcp-types.ts';
import { decodeTcpPacket } from '../../pcap/decode.ts';
import { readCapture } from '../../pcap/reader.ts';

export const SERVER_IP = '198.18.7.1';
export const CLIENT_IP = '198.18.7.2';
export const PORT = 5000;

/** System tools by absolute path: `npx` puts node_modules/.bin first on PATH, and it has an `nft`. */
function tool(name: string): string {
  for (const dir of ['/usr/sbin', '/sbin', '/usr/bin', '/bin']) {
    if (existsSync(join(dir, name))) return join(dir, name);
  }
  return name;
}

const IP = tool('ip');

function run(cmd: string, args: string[]): string {
  return execFileSync(cmd, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

async function until(what: string, deadlineMs: number, check: () => boolean): Promise<void> {
  const end = Date.now() + deadlineMs;
  while (!check()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

async function untilAsync(
  what: string,
  deadlineMs: number,
  check: () => Promise<boolean>,
): Promise<void> {
  const end = Date.now() + deadlineMs;
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** Whether the capture so far shows every connection ended: a RST, or both FINs acknowledged. */
export async function connectionsEnded(file: string): Promise<boolean> {
  const conns = new Map<string, { fins: Map<string, number>; acked: number; rst: boolean }>();
  try {
    await readCapture(file, (frame) => {
      const p = decodeTcpPacket(frame);
      if (!('seg' in p)) return;
      const s = p.seg;
      const from = `${p.src}:${s.srcPort}`;
      const to = `${p.dst}:${s.dstPort}`;
      const key = from < to ? `${from}-${to}` : `${to}-${from}`;
      const c = conns.get(key) ?? { fins: new Map(), acked: 0, rst: false };
      conns.set(key, c);
      if (s.flags & TcpFlag.RST) c.rst = true;
      const peerFin = c.fins.get(to);
      if (s.flags & TcpFlag.ACK && peerFin !== undefined && s.ack === peerFin)
        c.acked |= from < to ? 1 : 2;
      if (s.flags & TcpFlag.FIN && !c.fins.has(from))
        c.fins.set(from, (s.seq + s.payload.length + 1) >>> 0);
    });
  } catch {
    return false; // not written yet
  }
  return conns.size > 0 && [...conns.values()].every((c) => c.rst || c.acked === 3);
}

/** The client: connects, writes per the scenario, prints timing as one JSON line. */
const CLIENT = `
const net = require('node:net');
const { performance } = require('node:perf_hooks');
const s = JSON.parse(process.argv[1]);
const now = () => performance.timeOrigin + performance.now();
const pattern = (n, off) => { const b = Buffer.alloc(n); for (let i = 0; i < n; i++) b[i] = (off + i) % 251; return b; };
const connect = () => new Promise((res, rej) => { const c = net.connect(s.port, s.host, () => res(c)); c.on('error', rej); });
const write = (c, b) => new Promise((res) => c.write(b, res));
const ended = (c) => new Promise((res) => { c.on('close', res); c.resume(); });
(async () => {
  const out = {};
  let c = await connect();
  await write(c, pattern(s.bytes, 0));
  if (s.pauseMs) {
    await new Promise((r) => setTimeout(r, 200));
    // A small write that leaves at once: the pause starts when it is on the wire.
    await write(c, pattern(4096, s.bytes));
    out.pauseFrom = now();
    await new Promise((r) => setTimeout(r, s.pauseMs));
    out.pauseTo = now();
    await write(c, pattern(s.bytes, s.bytes));
  }
  if (s.reset) { await new Promise((r) => setTimeout(r, 100)); c.resetAndDestroy(); console.log(JSON.stringify(out)); return; }
  c.end(); await ended(c);
  if (s.reconnect) { c = await connect(); await write(c, pattern(s.bytes, 0)); c.end(); await ended(c); }
  console.log(JSON.stringify(out));
})().catch((e) => { console.error(e); process.exit(1); });
`;

/** The server: reads and discards every connection until killed. */
const SERVER = `
const net = require('node:net');
net.createServer((c) => { c.on('data', () => {}); c.on('error', () => {}); c.on('end', () => c.end()); })
  .listen(Number(process.argv[1]), process.argv[2], () => console.log('listening'));
`;

export interface Scenario {
  bytes: number;
  pauseMs?: number;
  reset?: boolean;
  reconnect?: boolean;
}

export class CaptureLab {
  readonly dir = mkdtempSync(join(tmpdir(), 'hlv7-'));
  readonly client: string;
  readonly server: string;
  private readonly clientIf: string;
  private readonly serverIf: string;
  private readonly procs: ChildProcess[] = [];
  private created = false;

  constructor(tag: string) {
    const base = `hlv7${tag}${process.pid % 100000}`;
    this.client = `${base}c`;
    this.server = `${base}s`;
    this.clientIf = `v7${tag}${process.pid % 100000}c`.slice(0, 15);
    this.serverIf = `v7${tag}${process.pid % 100000}s`.slice(0, 15);
  }

  setup(): void {
    this.created = true;
    run(IP, ['netns', 'add', this.client]);
    run(IP, ['netns', 'add', this.server]);
    run(IP, [
      'link',
      'add',
      this.clientIf,
      'netns',
      this.client,
      'type',
      'veth',
      'peer',
      'name',
      this.serverIf,
      'netns',
      this.server,
    ]);
    for (const [ns, ifname, ip] of [
      [this.client, this.clientIf, CLIENT_IP],
      [this.server, this.serverIf, SERVER_IP],
    ] as const) {
      run(IP, ['-n', ns, 'addr', 'add', `${ip}/24`, 'dev', ifname]);
      run(IP, ['-n', ns, 'link', 'set', ifname, 'up']);
      run(IP, ['-n', ns, 'link', 'set', 'lo', 'up']);
      run(IP, [
        'netns',
        'exec',
        ns,
        tool('ethtool'),
        '-K',
        ifname,
        'tso',
        'off',
        'gso',
        'off',
        'gro',
        'off',
      ]);
    }
  }

  /** Drops `percent`% of the packets arriving at the server (nftables, numgen). */
  addServerLoss(percent: number): void {
    const rules = [
      'table inet hlv7 {',
      '  chain input {',
      '    type filter hook input priority 0;',
      `    tcp dport ${PORT} numgen random mod 100 < ${percent} counter drop`,
      '  }',
      '}',
      '',
    ].join('\n');
    const file = join(this.dir, 'loss.nft');
    writeFileSync(file, rules);
    run(IP, ['netns', 'exec', this.server, tool('nft'), '-f', file]);
  }

  private start(
    ns: string,
    args: string[],
  ): { proc: ChildProcess; out: () => string; err: () => string } {
    const proc = spawn(IP, ['netns', 'exec', ns, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    this.procs.push(proc);
    let out = '';
    let err = '';
    proc.stdout!.on('data', (d) => (out += d));
    proc.stderr!.on('data', (d) => (err += d));
    return { proc, out: () => out, err: () => err };
  }

  /** Captures while `scenario` runs; returns the capture file and the client's timing. */
  async capture(
    scenario: Scenario,
    opts: { nano?: boolean; name?: string } = {},
  ): Promise<{ file: string; timing: { pauseFrom?: number; pauseTo?: number } }> {
    const file = join(this.dir, `${opts.name ?? 'capture'}.pcap`);
    const tcpdump = this.start(this.server, [
      tool('tcpdump'),
      '-i',
      this.serverIf,
      '-w',
      file,
      '--immediate-mode',
      '-U',
      '-s',
      '0',
      '-B',
      '32768',
      ...(opts.nano ? ['--time-stamp-precision=nano'] : []),
      'tcp',
    ]);
    await until('tcpdump to listen', 10000, () => tcpdump.err().includes('listening on'));
    const server = this.start(this.server, [
      process.execPath,
      '-e',
      SERVER,
      String(PORT),
      SERVER_IP,
    ]);
    await until('the server to listen', 10000, () => server.out().includes('listening'));
    const client = this.start(this.client, [
      process.execPath,
      '-e',
      CLIENT,
      JSON.stringify({ ...scenario, host: SERVER_IP, port: PORT }),
    ]);
    const code = await new Promise<number | null>((r) => client.proc.on('exit', r));
    if (code !== 0) throw new Error(`client failed (${code}): ${client.err()}`);
    // Stop tcpdump only once the last FIN's ACK (or the RST) is in the file: a signal
    // ends its loop, and frames still in its ring buffer would be lost.
    await untilAsync('the capture to hold the end of every connection', 10000, () =>
      connectionsEnded(file),
    );
    await this.stop(server.proc, 'SIGTERM');
    await this.stop(tcpdump.proc, 'SIGINT');
    writeFileSync(`${file}.stats`, tcpdump.err());
    const line = client.out().trim().split('\n').pop() ?? '{}';
    return { file, timing: JSON.parse(line) };
  }

  private stop(proc: ChildProcess, signal: NodeJS.Signals): Promise<void> {
    if (proc.exitCode !== null || proc.signalCode !== null) return Promise.resolve();
    return new Promise((resolve) => {
      proc.on('exit', () => resolve());
      proc.kill(signal);
    });
  }

  destroy(): void {
    for (const p of this.procs)
      if (p.exitCode === null && p.signalCode === null && p.pid) p.kill('SIGKILL');
    if (this.created) {
      for (const ns of [this.client, this.server]) {
        try {
          run(IP, ['netns', 'del', ns]);
        } catch {
          // already gone
        }
      }
    }
    rmSync(this.dir, { recursive: true, force: true });
  }
}
