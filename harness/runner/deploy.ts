/**
 * Getting the chassis ready: the virtual lab brought up (or a running one,
 * or a real lab, checked: power on, SSH answering), then the stack deployed
 * on both boards (config, shared IPC key) and the daemons started, slot 0
 * first so it wins the election.
 */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import type { Lab } from '../lab/schema.ts';
import type { Testplan } from '../plan/schema.ts';
import { vlabDown, vlabStatus, vlabUp } from '../vlab/index.ts';
import { BoardDaemon } from './board-daemon.ts';
import { deployBundle, makeBundle, REMOTE_CHECKOUT } from './bundle.ts';
import { abortableSleep } from './chassis.ts';
import { boardFiles, boardLanAddress, chassisAddress, daemonConfigYaml } from './daemon-config.ts';
import { RunnerError } from './errors.ts';
import type { LabAccess } from './lab-access.ts';
import { shellQuote } from './remote.ts';
import type { Timeline } from './timeline.ts';

export const CHECKOUT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
export const LOCAL_HITLESS = resolve(CHECKOUT, 'harness/cli/hitless.mjs');

/** The `hitless` command on lab hosts. */
export function remoteHitless(deploy: Testplan['stack']['deploy'], lab: Lab): string {
  if (deploy === 'installed') return 'hitless';
  // A virtual lab's hosts see this checkout at the same path; a real lab gets a copy.
  const root = lab.kind === 'virtual' ? CHECKOUT : REMOTE_CHECKOUT;
  return shellQuote(`${root}/harness/cli/hitless.mjs`);
}

/** Copy the checkout to every host of a real lab (boards: daemon; peers: agent). */
export async function deployCheckout(access: LabAccess, timeline: Timeline): Promise<void> {
  const bundle = makeBundle(CHECKOUT);
  try {
    const hosts = [...access.lab.boards.map((b) => b.name), ...access.lab.peers.map((p) => p.name)];
    await Promise.all(hosts.map((h) => deployBundle(access.host(h), bundle, timeline)));
  } finally {
    bundle.dispose();
  }
}

/** Bring a virtual lab up unless it is up already; returns how to take it down again (if we brought it up). */
export async function ensureVirtualLab(
  lab: Lab,
  timeline: Timeline,
): Promise<(() => Promise<void>) | undefined> {
  const status = await vlabStatus(lab).catch(() => undefined);
  if (status?.up) {
    timeline.add('harness', 'lab.reuse', { lab: lab.name, prefix: lab.prefix });
    return undefined;
  }
  const up = await vlabUp(lab);
  timeline.add('harness', 'lab.up', { lab: lab.name, prefix: lab.prefix, ms: up.bringUpMs });
  return async () => {
    await vlabDown(lab);
  };
}

/** A real lab (or a reused virtual one): every board powered, every host answering SSH. */
export async function checkLab(
  access: LabAccess,
  timeline: Timeline,
  signal?: AbortSignal,
): Promise<void> {
  for (const b of access.lab.boards) {
    const state = await access.powerState(b.name);
    if (state !== 'on') {
      timeline.add('harness', 'power', { board: b.name, action: 'on', reason: 'found off' });
      await access.power(b.name, 'on');
    }
  }
  const hosts = [...access.lab.boards.map((b) => b.name), ...access.lab.peers.map((p) => p.name)];
  const deadline = Date.now() + 60_000;
  for (const name of hosts) {
    for (;;) {
      const r = await access.host(name).exec('true', { timeoutMs: 5000 });
      if (r.code === 0) break;
      if (Date.now() > deadline)
        throw new RunnerError('RUN_LAB', `${name} does not answer SSH: ${r.stderr.trim()}`);
      await abortableSleep(500, signal);
    }
  }
  timeline.add('harness', 'lab.checked', { hosts });
}

/** Whether the daemon's config schema has `ha.replication` (asked of the local checkout). */
export async function daemonKnowsReplicationKey(): Promise<boolean> {
  const { stdout } = await promisify(execFile)(process.execPath, [LOCAL_HITLESS, 'rpd', 'schema'], {
    timeout: 30_000,
    maxBuffer: 4 << 20,
  });
  const schema = JSON.parse(stdout) as {
    properties?: { ha?: { properties?: Record<string, unknown> } };
  };
  return schema.properties?.ha?.properties?.replication !== undefined;
}

export interface Deployed {
  daemons: Map<string, BoardDaemon>;
  replicationKey: boolean;
}

export async function deployStack(
  access: LabAccess,
  plan: Testplan,
  timeline: Timeline,
  registerStop: (daemons: BoardDaemon[]) => void,
  signal?: AbortSignal,
): Promise<Deployed> {
  const lab = access.lab;
  if (plan.stack.deploy === 'checkout' && lab.kind === 'real')
    await deployCheckout(access, timeline);
  const hitless = remoteHitless(plan.stack.deploy, lab);
  const replicationOff = plan.stack.replication === false;
  const replicationKey = replicationOff ? await daemonKnowsReplicationKey() : false;
  if (replicationOff && !replicationKey) {
    timeline.add('harness', 'deploy.note', {
      note: 'the daemon has no ha.replication setting: the boards run without their HA block, so nothing is replicated',
    });
  }
  const key = randomBytes(32).toString('hex');
  const boards = [...lab.boards].sort((a, b) => a.slot - b.slot);
  const daemons = new Map<string, BoardDaemon>();
  for (const board of boards) {
    const shell = access.host(board.name);
    const files = boardFiles(board);
    const d = new BoardDaemon(board, shell, hitless, !(replicationOff && !replicationKey));
    daemons.set(board.name, d);
    await d.stop();
    await d.ensureLanAddress(boardLanAddress(lab, board.slot), chassisAddress(lab).prefix);
    const yaml = daemonConfigYaml(lab, board, plan, {
      ...(replicationOff
        ? { replicationOff: replicationKey ? ('key' as const) : ('no-ha' as const) }
        : {}),
    });
    const dir = shellQuote(dirname(files.config));
    await shell.run(`mkdir -p ${dir} && umask 077 && cat > ${shellQuote(files.keyFile)}`, {
      input: `${key}\n`,
    });
    await shell.run(`cat > ${shellQuote(files.config)}`, { input: yaml });
    timeline.add('harness', 'deploy.config', { board: board.name, path: files.config });
  }
  registerStop([...daemons.values()]);
  for (const board of boards) {
    if (signal?.aborted) throw new RunnerError('RUN_INTERRUPTED', 'interrupted');
    const d = daemons.get(board.name)!;
    await d.start();
    timeline.add('harness', 'daemon.start', { board: board.name });
    const started = Date.now();
    for (;;) {
      const s = await d.status();
      if (s.running) break;
      // A daemon that exited (bad config, a crash at start) fails the run now, with its last words.
      const gone = Date.now() - started > 2000 && (await d.pids()).length === 0;
      if (gone || Date.now() - started > 30_000) {
        const log = await d.shell.exec(`tail -n 5 ${shellQuote(d.files.log)}`);
        throw new RunnerError(
          'RUN_DAEMON',
          `${board.name}: the daemon ${gone ? 'exited' : 'did not answer within 30 s'}; last lines of ${d.files.log}:\n${log.stdout.trim()}`,
        );
      }
      await abortableSleep(200, signal);
    }
  }
  return { daemons, replicationKey };
}
