/**
 * Loading a lab file and resolving its secrets. Paths in the file may use
 * `{state}` (the lab's state dir) and may be relative to the lab file.
 */
import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, isAbsolute, resolve } from 'node:path';
import { loadYamlConfig, parseYamlConfig } from '../../stack/schema/yaml-config.ts';
import { LabError } from './errors.ts';
import { type Lab, type LabFile, LabSchema, type SecretRef } from './schema.ts';

export const DEFAULT_STATE_ROOT = '/run/hitless/labs';

/** The default lab: the virtual chassis of this checkout. */
export const DEFAULT_LAB_FILE = resolve(
  dirname(new URL(import.meta.url).pathname),
  '../../testplans/labs/virtual.yaml',
);

function expandPaths(raw: LabFile, file: string): Lab {
  const base = dirname(resolve(file));
  const stateDir = raw.stateDir
    ? resolve(base, raw.stateDir)
    : `${DEFAULT_STATE_ROOT}/${raw.prefix}`;
  const path = (p: string): string => {
    const s = p.replaceAll('{state}', stateDir).replace(/^~(?=\/)/, homedir());
    return isAbsolute(s) ? s : resolve(base, s);
  };
  const ref = (r: SecretRef): SecretRef => ('file' in r ? { file: path(r.file) } : r);
  const lab = structuredClone(raw) as Lab;
  lab.stateDir = stateDir;
  lab.file = resolve(file);
  lab.knownHosts = path(lab.knownHosts);
  for (const b of lab.boards) {
    b.console.port = path(b.console.port);
    b.console.password = ref(b.console.password);
    b.ssh.key = ref(b.ssh.key);
    if (b.config) b.config = b.config.replaceAll('{state}', stateDir);
  }
  for (const p of lab.peers) p.ssh.key = ref(p.ssh.key);
  for (const d of [...lab.pdus, ...lab.switches]) {
    if (d.communities)
      d.communities = { read: ref(d.communities.read), write: ref(d.communities.write) };
  }
  return lab;
}

/** Read, validate and expand a lab file; throws ConfigError naming file, line and key. */
export function loadLab(file: string = DEFAULT_LAB_FILE): Lab {
  return expandPaths(loadYamlConfig(file, LabSchema), file);
}

/** Same as loadLab for YAML text already in memory (`file` names it in errors and anchors relative paths). */
export function parseLab(text: string, file: string): Lab {
  return expandPaths(parseYamlConfig(text, LabSchema, file), file);
}

/**
 * The value of a secret. A trailing newline of a file or variable is dropped
 * unless `raw` (keys keep their text as is). The value is never logged.
 */
export function resolveSecret(ref: SecretRef, opts: { raw?: boolean } = {}): string {
  let value: string;
  if ('env' in ref) {
    const v = process.env[ref.env];
    if (v === undefined)
      throw new LabError(
        'LAB_SECRET_MISSING',
        `secret: environment variable ${ref.env} is not set`,
      );
    value = v;
  } else {
    try {
      value = readFileSync(ref.file, 'utf8');
    } catch (err) {
      throw new LabError(
        'LAB_SECRET_MISSING',
        `secret: cannot read ${ref.file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`,
      );
    }
  }
  return opts.raw ? value : value.replace(/\r?\n$/, '');
}

/** Where a secret comes from, for messages (never its value). */
export function describeSecret(ref: SecretRef): string {
  return 'env' in ref ? `$${ref.env}` : ref.file;
}

/** A board or peer by name, with its kind. */
export function findHost(lab: Lab, name: string) {
  const board = lab.boards.find((b) => b.name === name);
  if (board) return { kind: 'board' as const, board, ssh: board.ssh };
  const peer = lab.peers.find((p) => p.name === name);
  if (peer) return { kind: 'peer' as const, peer, ssh: peer.ssh };
  throw new LabError(
    'LAB_UNKNOWN_HOST',
    `lab ${lab.name}: no host named "${name}" (hosts: ${[...lab.boards, ...lab.peers].map((h) => h.name).join(', ')})`,
  );
}

/** The switch and ifName (or operator description) of a cable; undefined when no switch lists it. */
export function findCable(lab: Lab, cable: string) {
  for (const sw of lab.switches) {
    const ifName = sw.ports[cable];
    if (ifName !== undefined) return { switch: sw, ifName };
  }
  return undefined;
}
