/**
 * Helpers for tests that run against a virtual lab: root check, leftovers of
 * a prefix, an OpenSSH client with pinned host keys, and a console reader.
 */
import { execFile } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { SerialPort } from 'serialport';
import { listNetns } from './build.ts';
import type { VlabHost, VlabUp } from './index.ts';
import { ip, waitFor } from './sh.ts';

/** Why a net test cannot run here, or undefined. Under CI a missing privilege is a failure, not a skip. */
export function netTestBlocker(): string | undefined {
  if (process.getuid?.() === 0) return undefined;
  if (process.env.CI === 'true') throw new Error('net tests need root under CI');
  return 'needs root (network namespaces)';
}

/** Everything of a prefix still present: namespaces, root links, processes naming its state dir, the state dir. */
export async function leftovers(prefix: string, stateDir: string): Promise<string[]> {
  const found: string[] = [];
  for (const ns of await listNetns()) if (ns.startsWith(`${prefix}-`)) found.push(`netns ${ns}`);
  const links = JSON.parse((await ip(undefined, ['-j', 'link', 'show'])).stdout || '[]') as {
    ifname: string;
  }[];
  for (const l of links) if (l.ifname.startsWith(`${prefix}-`)) found.push(`link ${l.ifname}`);
  for (const e of readdirSync('/proc')) {
    if (!Number(e) || Number(e) === process.pid) continue;
    try {
      if (readFileSync(`/proc/${e}/cmdline`, 'utf8').includes(`${stateDir}/`))
        found.push(`process ${e}`);
    } catch {
      // gone meanwhile
    }
  }
  if (existsSync(stateDir)) found.push(`dir ${stateDir}`);
  return found;
}

/** Run a command on a lab host with the OpenSSH client, host key pinned by the lab's known_hosts. */
export function sshRun(
  up: VlabUp,
  host: VlabHost,
  command: string,
  timeoutMs = 10_000,
): Promise<{ code: number; stdout: string; stderr: string }> {
  const args = [
    '-o',
    'BatchMode=yes',
    '-o',
    'StrictHostKeyChecking=yes',
    '-o',
    `UserKnownHostsFile=${up.knownHosts}`,
    '-o',
    'GlobalKnownHostsFile=/dev/null',
    '-o',
    'ConnectTimeout=3',
    '-i',
    host.keyPath,
    '-p',
    String(host.sshPort),
    `${host.user}@${host.address}`,
    command,
  ];
  return new Promise((resolve) => {
    execFile('ssh', args, { timeout: timeoutMs }, (err, stdout, stderr) => {
      resolve({ code: err ? (typeof err.code === 'number' ? err.code : 255) : 0, stdout, stderr });
    });
  });
}

/** A board console opened as a serial port, with expect over everything read so far. */
export class ConsoleReader {
  text = '';
  private constructor(private readonly port: SerialPort) {
    port.on('data', (d: Buffer) => {
      this.text += d.toString('utf8');
    });
  }

  static async open(path: string): Promise<ConsoleReader> {
    const port = await waitFor(
      `console ${path}`,
      () =>
        new Promise<SerialPort | undefined>((resolve) => {
          const p = new SerialPort({ path, baudRate: 115200, autoOpen: false });
          p.open((err) => resolve(err ? undefined : p));
        }),
      5000,
      50,
    );
    return new ConsoleReader(port);
  }

  write(s: string): void {
    this.port.write(s);
  }

  /** Wait until `re` matches the text read after `from`; returns the match and where it ended. */
  async expect(
    re: RegExp,
    timeoutMs: number,
    from = 0,
  ): Promise<{ match: RegExpExecArray; end: number }> {
    return waitFor(
      `console output ${re}`,
      () => {
        const m = re.exec(this.text.slice(from));
        return m ? { match: m, end: from + m.index + m[0].length } : undefined;
      },
      timeoutMs,
      20,
    );
  }

  close(): Promise<void> {
    return new Promise((resolve) =>
      this.port.isOpen ? this.port.close(() => resolve()) : resolve(),
    );
  }
}
