/**
 * The virtual chassis from code: `vlabUp` builds a lab from its lab file and
 * returns every address, console path and key the harness needs;
 * `vlabDown` removes it; `vlabStatus`, `vlabPower`, `vlabPort` talk to the
 * lab's supervisor.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { LabError } from '../lab/errors.ts';
import { DEFAULT_LAB_FILE, DEFAULT_STATE_ROOT, loadLab } from '../lab/load.ts';
import type { Lab } from '../lab/schema.ts';
import { buildNetwork } from './build.ts';
import { agentAddresses, writeLabFiles } from './files.ts';
import { nsOf, statePaths } from './names.ts';
import { run, waitFor } from './sh.ts';
import { type DownSummary, supervisorPid, teardown } from './teardown.ts';

const here = dirname(fileURLToPath(import.meta.url));
const CHECKOUT = resolve(here, '../..');

export interface VlabHost {
  name: string;
  role: 'board' | 'peer';
  /** Management address (SSH). */
  address: string;
  sshPort: number;
  user: string;
  /** Private key file for SSH. */
  keyPath: string;
  /** Network namespace, for `ip netns exec` (boards: only while powered). */
  namespace: string;
  /** Console device path (boards). */
  console?: string;
}

export interface VlabUp {
  lab: Lab;
  prefix: string;
  stateDir: string;
  bringUpMs: number;
  knownHosts: string;
  hosts: VlabHost[];
  agent: { addresses: string[]; port: number };
  status: VlabStatus;
}

export type VlabStatus = {
  up: boolean;
  kind?: 'virtual' | 'real';
  name: string;
  prefix: string;
  hosts: {
    name: string;
    role: string;
    mgmt: string;
    lan?: string;
    power: string;
    console?: string;
    outlet?: number;
    bootedAt?: number;
  }[];
  ports: {
    switch: string;
    ifIndex: number;
    ifName: string;
    cable: string;
    ends: string[];
    admin: string;
    oper: string;
  }[];
  outlets: { outlet: number; on: boolean; powers?: string }[];
};

function asLab(lab?: string | Lab): Lab {
  const l = typeof lab === 'object' ? lab : loadLab(lab ?? DEFAULT_LAB_FILE);
  if (l.kind !== 'virtual')
    throw new LabError(
      'LAB_NOT_VIRTUAL',
      `lab ${l.name} (${l.file}) is a real lab; only a virtual lab can be brought up or down`,
    );
  return l;
}

function keyPath(lab: Lab, ref: Lab['boards'][number]['ssh']['key']): string {
  return 'file' in ref ? ref.file : `${statePaths(lab).sshDir}/env-key-${ref.env}`;
}

/** Bring a virtual lab up; resolves when every board shows its login prompt and every sshd answers. */
export async function vlabUp(
  labOrFile?: string | Lab,
  opts: { timeoutMs?: number } = {},
): Promise<VlabUp> {
  const started = Date.now();
  const lab = asLab(labOrFile);
  if (process.getuid?.() !== 0)
    throw new LabError(
      'VLAB_COMMAND_FAILED',
      'the virtual chassis needs root (network namespaces)',
    );
  if (supervisorPid(lab.stateDir)) {
    throw new LabError(
      'VLAB_BUSY',
      `lab ${lab.prefix} is already up (state ${lab.stateDir}); run \`hitless lab down\` first`,
    );
  }
  await teardown(lab.prefix, lab.stateDir);
  await assertSubnetFree(lab);
  const paths = statePaths(lab);
  mkdirSync(lab.stateDir, { recursive: true, mode: 0o700 });
  mkdirSync('/run/sshd', { recursive: true, mode: 0o755 });
  try {
    const hosts = await writeLabFiles(lab);
    await buildNetwork(lab, hosts);
    const out = openSync(paths.supervisorLog, 'a');
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', join(here, 'supervisor.ts'), lab.file],
      {
        cwd: CHECKOUT,
        detached: true,
        stdio: ['ignore', out, out],
        env: process.env,
      },
    );
    child.unref();
    writeFileSync(paths.supervisorPid, `${child.pid}\n`);
    const ready = await waitFor(
      `lab ${lab.prefix} to boot (see ${paths.supervisorLog})`,
      () => {
        if (existsSync(paths.ready))
          return JSON.parse(readFileSync(paths.ready, 'utf8')) as { error?: string };
        if (child.exitCode !== null) return { error: `supervisor exited with ${child.exitCode}` };
        return undefined;
      },
      opts.timeoutMs ?? (lab.virtual?.bootMs ?? 2000) + 30_000,
      20,
    );
    if (ready.error)
      throw new LabError(
        'VLAB_COMMAND_FAILED',
        `lab ${lab.prefix}: ${ready.error}\n${tail(paths.supervisorLog)}`,
      );
  } catch (err) {
    await teardown(lab.prefix, lab.stateDir).catch(() => {});
    throw err;
  }
  const status = await vlabStatus(lab);
  const hosts: VlabHost[] = [
    ...lab.boards.map((b) => ({
      name: b.name,
      role: 'board' as const,
      address: b.ssh.host,
      sshPort: b.ssh.port,
      user: b.ssh.user,
      keyPath: keyPath(lab, b.ssh.key),
      namespace: nsOf(lab.prefix, b.name),
      console: b.console.port,
    })),
    ...lab.peers.map((p) => ({
      name: p.name,
      role: 'peer' as const,
      address: p.ssh.host,
      sshPort: p.ssh.port,
      user: p.ssh.user,
      keyPath: keyPath(lab, p.ssh.key),
      namespace: nsOf(lab.prefix, p.name),
    })),
  ];
  return {
    lab,
    prefix: lab.prefix,
    stateDir: lab.stateDir,
    bringUpMs: Date.now() - started,
    knownHosts: lab.knownHosts,
    hosts,
    agent: { addresses: agentAddresses(lab), port: 161 },
    status,
  };
}

/** Two labs on one management subnet would fight over root-namespace routes. */
async function assertSubnetFree(lab: Lab): Promise<void> {
  const ipAddr = (lab.virtual?.harnessAddress ?? '').split('/')[0];
  const out = await run('ip', ['-j', '-4', 'addr', 'show'], { allowFail: true });
  const ifs = JSON.parse(out.stdout || '[]') as {
    ifname: string;
    addr_info?: { local: string }[];
  }[];
  const owner = ifs.find((i) => i.addr_info?.some((a) => a.local === ipAddr));
  if (owner) {
    throw new LabError(
      'VLAB_BUSY',
      `lab ${lab.prefix}: management address ${ipAddr} is already on ${owner.ifname} (another lab on the same subnet?)`,
    );
  }
}

function tail(file: string): string {
  try {
    return readFileSync(file, 'utf8').split('\n').slice(-15).join('\n');
  } catch {
    return '';
  }
}

/** Remove everything of a lab (by lab file, Lab, or bare prefix); idempotent. */
export async function vlabDown(
  what?: string | Lab | { prefix: string; stateDir?: string },
): Promise<DownSummary> {
  if (what && typeof what === 'object' && !('kind' in what)) {
    if (!/^[a-z][a-z0-9]{0,5}$/.test(what.prefix))
      throw new LabError('VLAB_COMMAND_FAILED', `bad prefix ${what.prefix}`);
    return teardown(what.prefix, what.stateDir ?? `${DEFAULT_STATE_ROOT}/${what.prefix}`);
  }
  const lab = asLab(what as string | Lab | undefined);
  return teardown(lab.prefix, lab.stateDir);
}

/** One request to the lab's supervisor. */
export function controlRequest<T>(
  lab: Lab,
  req: Record<string, unknown>,
  timeoutMs = 15_000,
): Promise<T> {
  return new Promise((resolvePromise, reject) => {
    const sock = connect(statePaths(lab).control);
    let buf = '';
    const timer = setTimeout(() => {
      sock.destroy();
      reject(new LabError('VLAB_TIMEOUT', `lab ${lab.prefix}: no answer to ${String(req.op)}`));
    }, timeoutMs);
    sock.on('error', (err) => {
      clearTimeout(timer);
      reject(
        new LabError(
          'VLAB_NOT_UP',
          `lab ${lab.prefix} is not up (${(err as NodeJS.ErrnoException).code})`,
        ),
      );
    });
    sock.on('data', (d) => {
      buf += d.toString();
      const nl = buf.indexOf('\n');
      if (nl < 0) return;
      clearTimeout(timer);
      sock.end();
      const msg = JSON.parse(buf.slice(0, nl)) as { result?: T; error?: string };
      if (msg.error) reject(new LabError('VLAB_COMMAND_FAILED', msg.error));
      else resolvePromise(msg.result as T);
    });
    sock.write(`${JSON.stringify(req)}\n`);
  });
}

/** Hosts, power and link states of a running lab; `up: false` when it is not running. */
export async function vlabStatus(labOrFile?: string | Lab): Promise<VlabStatus> {
  const any = typeof labOrFile === 'object' ? labOrFile : loadLab(labOrFile ?? DEFAULT_LAB_FILE);
  if (any.kind === 'real') return staticStatus(any);
  const lab = asLab(any);
  if (!supervisorPid(lab.stateDir))
    return { up: false, name: lab.name, prefix: lab.prefix, hosts: [], ports: [], outlets: [] };
  return { up: true, ...(await controlRequest<Omit<VlabStatus, 'up'>>(lab, { op: 'status' })) };
}

/** A real lab's layout from its file; live power and link states come from the drivers. */
function staticStatus(lab: Lab): VlabStatus {
  return {
    up: false,
    kind: 'real',
    name: lab.name,
    prefix: lab.prefix,
    hosts: [
      ...lab.boards.map((b) => ({
        name: b.name,
        role: 'board',
        mgmt: b.ssh.host,
        power: 'unknown',
        console: b.console.port,
        outlet: b.power.outlet,
      })),
      ...lab.peers.map((p) => ({ name: p.name, role: 'peer', mgmt: p.ssh.host, power: 'unknown' })),
    ],
    ports: lab.switches.flatMap((sw) =>
      Object.entries(sw.ports).map(([cable, ifName], i) => ({
        switch: sw.name,
        ifIndex: i + 1,
        ifName: sw.model === 'manual' ? 'manual' : ifName,
        cable,
        ends: [],
        admin: 'unknown',
        oper: 'unknown',
      })),
    ),
    outlets: [],
  };
}

/** Power a board directly (what the PDU outlet does), resolving once the action is applied (boot not awaited). */
export function vlabPower(lab: Lab, board: string, action: 'on' | 'off' | 'cycle'): Promise<void> {
  return controlRequest(lab, { op: 'power', board, action });
}

/** Plug (up) or pull (down) a cable at the switch. */
export function vlabPort(lab: Lab, cable: string, up: boolean): Promise<void> {
  return controlRequest(lab, { op: 'port', cable, admin: up ? 'up' : 'down' });
}

/**
 * A copy of the default virtual lab with its own prefix and management subnet
 * 198.18.<subnet>.0/24, for tests that run side by side. Returns the file path.
 */
export function writeVirtualLab(opts: {
  prefix: string;
  subnet: number;
  dir?: string;
  bootMs?: number;
  /** Command line of the stack daemon (`--config FILE` is appended). */
  daemon?: string;
}): string {
  if (!Number.isInteger(opts.subnet) || opts.subnet < 0 || opts.subnet > 254)
    throw new LabError('VLAB_COMMAND_FAILED', 'subnet must be 0..254');
  let text = readFileSync(DEFAULT_LAB_FILE, 'utf8')
    .replace(/^prefix: .*$/m, `prefix: ${opts.prefix}`)
    .replace(/^name: .*$/m, `name: virtual-${opts.prefix}`)
    .replaceAll('198.18.0.', `198.18.${opts.subnet}.`)
    .replace(
      '# yaml-language-server: $schema=./lab.schema.json',
      `# yaml-language-server: $schema=${dirname(DEFAULT_LAB_FILE)}/lab.schema.json`,
    );
  if (opts.bootMs !== undefined) text = text.replace(/bootMs: \d+/, `bootMs: ${opts.bootMs}`);
  if (opts.daemon)
    text = text.replace(
      /^( *)rebootPauseMs: (.*)$/m,
      `$1rebootPauseMs: $2\n$1daemon: ${JSON.stringify(opts.daemon)}`,
    );
  const dir = opts.dir ?? tmpdir();
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `hitless-lab-${opts.prefix}.yaml`);
  writeFileSync(file, text);
  return file;
}
