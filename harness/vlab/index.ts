/**
 * The virtual chassis from code: `vlabUp` builds a lab from its lab file and
 * returns every address, console path and key the harness needs;
 * `vlabDown` removes it; `vlabStatus`, `vlabPower`, `vlabPort` talk to the
 * lab's supervisor.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { LabError } from '../lab/errors.ts';
import { DEFAULT_STATE_ROOT } from '../lab/load.ts';
import type { Lab } from '../lab/schema.ts';
import { buildNetwork } from './build.ts';
import { asLab, type VlabStatus, vlabStatus } from './control.ts';
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

export {
  asLab,
  controlRequest,
  type VlabStatus,
  vlabPort,
  vlabPower,
  vlabStatus,
} from './control.ts';
export { writeVirtualLab } from './lab-file.ts';
