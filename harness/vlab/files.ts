/**
 * The files of a virtual lab in its state dir: generated secrets, SSH host and
 * client keys, known_hosts, sshd and snmpd configs. Nothing secret is printed.
 */
import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { describeSecret, resolveSecret } from '../lab/load.ts';
import type { Lab, SecretRef } from '../lab/schema.ts';
import { hostDir, mgmtPrefixLen, statePaths } from './names.ts';
import { run } from './sh.ts';

const under = (lab: Lab, path: string) => path.startsWith(`${lab.stateDir}/`);
/** One word for sh, whatever the path holds. */
const shQuote = (s: string) => `'${s.replaceAll("'", "'\\''")}'`;

export interface VirtualHost {
  name: string;
  role: 'board' | 'peer';
  mgmtIp: string;
  mgmtCidr: string;
  dir: string;
  sshdConfig: string;
  hostKey: string;
}

export function virtualHosts(lab: Lab): VirtualHost[] {
  const len = mgmtPrefixLen(lab);
  const mk = (name: string, role: 'board' | 'peer', ip: string): VirtualHost => ({
    name,
    role,
    mgmtIp: ip,
    mgmtCidr: `${ip}/${len}`,
    dir: hostDir(lab, name),
    sshdConfig: `${hostDir(lab, name)}/sshd_config`,
    hostKey: `${hostDir(lab, name)}/ssh_host_ed25519_key`,
  });
  return [
    ...lab.boards.map((b) => mk(b.name, 'board', b.ssh.host)),
    ...lab.peers.map((p) => mk(p.name, 'peer', p.ssh.host)),
  ];
}

/** Every secret file the lab keeps in its state dir and that is missing gets a fresh random value. */
function generateSecrets(lab: Lab): void {
  const refs: SecretRef[] = [
    ...lab.boards.map((b) => b.console.password),
    ...[...lab.pdus, ...lab.switches].flatMap((d) =>
      d.communities ? [d.communities.read, d.communities.write] : [],
    ),
  ];
  for (const ref of refs) {
    if (!('file' in ref) || !under(lab, ref.file) || existsSync(ref.file)) continue;
    mkdirSync(dirname(ref.file), { recursive: true, mode: 0o700 });
    writeFileSync(ref.file, `${randomBytes(9).toString('base64url')}\n`, { mode: 0o600 });
  }
}

async function ensureKey(path: string, comment: string): Promise<void> {
  if (existsSync(path)) return;
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  await run('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', comment, '-f', path]);
}

/** Public keys of every client key the lab's hosts accept. */
async function clientPublicKeys(lab: Lab): Promise<string[]> {
  const keys = new Map<string, SecretRef>();
  for (const h of [...lab.boards, ...lab.peers]) keys.set(describeSecret(h.ssh.key), h.ssh.key);
  const pubs: string[] = [];
  for (const ref of keys.values()) {
    let path: string;
    if ('file' in ref) {
      path = ref.file;
      if (under(lab, path)) await ensureKey(path, `hitless-${lab.prefix}-client`);
    } else {
      path = `${statePaths(lab).sshDir}/env-key-${ref.env}`;
      writeFileSync(path, resolveSecret(ref, { raw: true }), { mode: 0o600 });
    }
    pubs.push((await run('ssh-keygen', ['-y', '-f', path])).stdout.trim());
  }
  return pubs;
}

function sshdConfig(lab: Lab, h: VirtualHost): string {
  return [
    `# sshd of virtual host ${h.name} (lab ${lab.name})`,
    `ListenAddress ${h.mgmtIp}:22`,
    `HostKey ${h.hostKey}`,
    `AuthorizedKeysFile ${statePaths(lab).authorizedKeys}`,
    'PermitRootLogin prohibit-password',
    'PasswordAuthentication no',
    'KbdInteractiveAuthentication no',
    'UsePAM no',
    'StrictModes no',
    'PidFile none',
    'PrintMotd no',
    'UseDNS no',
    'MaxStartups 50:30:100',
    'MaxSessions 50',
    'ClientAliveInterval 0',
    'Subsystem sftp internal-sftp',
    '',
  ].join('\n');
}

/** Community strings of the lab's SNMP equipment (several devices may share the one agent). */
export function communities(lab: Lab): { read: Set<string>; write: Set<string> } {
  const read = new Set<string>();
  const write = new Set<string>();
  for (const d of [...lab.pdus, ...lab.switches]) {
    if (!d.communities) continue;
    read.add(resolveSecret(d.communities.read));
    write.add(resolveSecret(d.communities.write));
  }
  return { read, write };
}

/** Addresses the SNMP agent listens on (every PDU's and switch's). */
export function agentAddresses(lab: Lab): string[] {
  return [
    ...new Set([...lab.pdus, ...lab.switches].flatMap((d) => (d.address ? [d.address] : []))),
  ];
}

/** Subtrees the agent serves through pass_persist: PDU vendors, ifTable, ifXTable. */
export const AGENT_SUBTREES = [
  '.1.3.6.1.4.1.318',
  '.1.3.6.1.4.1.13742',
  '.1.3.6.1.4.1.3808',
  '.1.3.6.1.4.1.534',
  '.1.3.6.1.2.1.2.2',
  '.1.3.6.1.2.1.31.1.1',
];

function snmpdConfig(lab: Lab): string {
  const { read, write } = communities(lab);
  const paths = statePaths(lab);
  const lines = [
    `# snmpd of virtual lab ${lab.name}: plays its PDUs and switches`,
    `agentaddress ${agentAddresses(lab)
      .map((a) => `udp:${a}:161`)
      .join(',')}`,
    ...[...read].map((c) => `rocommunity ${c} default`),
    ...[...write].map((c) => `rwcommunity ${c} default`),
    `sysName ${lab.prefix}-agent`,
    `sysDescr hitless virtual lab ${lab.name} equipment`,
    ...AGENT_SUBTREES.map((oid) => `pass_persist ${oid} ${paths.agentBridge}`),
    '',
  ];
  return lines.join('\n');
}

/** Write every file the lab needs; returns the hosts with their paths. */
export async function writeLabFiles(lab: Lab): Promise<VirtualHost[]> {
  const paths = statePaths(lab);
  mkdirSync(paths.sshDir, { recursive: true, mode: 0o700 });
  chmodSync(lab.stateDir, 0o700);
  generateSecrets(lab);
  const hosts = virtualHosts(lab);
  const pubs = await clientPublicKeys(lab);
  writeFileSync(paths.authorizedKeys, `${pubs.join('\n')}\n`, { mode: 0o600 });
  const known: string[] = [];
  await Promise.all(
    hosts.map(async (h) => {
      mkdirSync(`${h.dir}/root`, { recursive: true });
      mkdirSync(`${h.dir}/log`, { recursive: true });
      await ensureKey(h.hostKey, `${lab.prefix}-${h.name}`);
      writeFileSync(h.sshdConfig, sshdConfig(lab, h));
    }),
  );
  for (const h of hosts) {
    const pub = readFileSync(`${h.hostKey}.pub`, 'utf8').trim().split(' ').slice(0, 2).join(' ');
    known.push(`${h.mgmtIp} ${pub}`);
  }
  mkdirSync(dirname(lab.knownHosts), { recursive: true });
  writeFileSync(lab.knownHosts, `${known.join('\n')}\n`);
  writeFileSync(paths.snmpdConf, snmpdConfig(lab), { mode: 0o600 });
  writeFileSync(
    paths.agentBridge,
    `#!/bin/sh\n# pass_persist relay to the lab supervisor\nexec socat STDIO ${shQuote(`UNIX-CONNECT:${paths.agent}`)}\n`,
    {
      mode: 0o700,
    },
  );
  return hosts;
}
