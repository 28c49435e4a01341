/**
 * `hitless lab up|status|down` end to end, and `down` after a killed `up`.
 * Prefix hlv5d, subnet 198.18.203.0/24.
 */
import { spawn } from 'node:child_process';
import { existsSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import test from 'ava';
import { listNetns } from './build.ts';
import { vlabDown, vlabUp, writeVirtualLab } from './index.ts';
import { ip, run, waitFor } from './sh.ts';
import { supervisorPid } from './teardown.ts';
import { leftovers, netTestBlocker } from './testing.ts';

const CLI = join(dirname(fileURLToPath(import.meta.url)), '../cli/hitless.mjs');
const PREFIX = 'hlv5d';
const STATE = `/run/hitless/labs/${PREFIX}`;
const DIR = `/tmp/hitless-test-${PREFIX}-${process.pid}`;
const blocker = netTestBlocker();
let file = '';

test.before(async () => {
  if (blocker) return;
  file = writeVirtualLab({ prefix: PREFIX, subnet: 203, dir: DIR });
  await run(CLI, ['lab', 'down', '--lab', file], { allowFail: true });
});

test.after.always(async () => {
  if (blocker) return;
  await run(CLI, ['lab', 'down', '--prefix', PREFIX], { allowFail: true });
  rmSync(DIR, { recursive: true, force: true });
});

test.serial('lab down after a killed lab up leaves nothing, twice', async (t) => {
  if (blocker) return t.pass(`skipped: ${blocker}`);
  const up = spawn(CLI, ['lab', 'up', '--lab', file], { stdio: 'ignore' });
  // Kill it in the middle: once the supervisor runs but before the boards have booted.
  await waitFor('supervisor started', () => existsSync(`${STATE}/supervisor.pid`), 20_000, 10);
  up.kill('SIGKILL');
  await new Promise((r) => up.once('exit', r));
  t.true(
    (await listNetns()).some((ns) => ns.startsWith(`${PREFIX}-`)),
    'the killed up left namespaces behind',
  );
  for (let i = 0; i < 2; i++) {
    const down = await run(CLI, ['lab', 'down', '--lab', file]);
    t.regex(down.stdout, /lab hlv5d down/);
    t.deepEqual(await leftovers(PREFIX, STATE), []);
  }
});

test.serial(
  'lab up prints the bring-up time; status shows hosts, consoles, power and links; a second up is refused',
  async (t) => {
    if (blocker) return t.pass(`skipped: ${blocker}`);
    const up = await run(CLI, ['lab', 'up', '--lab', file], { timeoutMs: 60_000 });
    const m = /lab hlv5d up in (\d+\.\d+) s/.exec(up.stdout);
    t.truthy(m, up.stdout);
    t.log(`lab up: ${m?.[1]} s`);
    const status = JSON.parse(
      (await run(CLI, ['lab', 'status', '--lab', file, '--json'])).stdout,
    ) as {
      up: boolean;
      hosts: { name: string; power: string; console?: string }[];
      ports: { cable: string; admin: string; oper: string }[];
    };
    t.true(status.up);
    t.deepEqual(
      status.hosts.map((h) => h.name),
      ['rp0', 'rp1', 'peer1', 'peer2'],
    );
    t.true(status.hosts.every((h) => h.power === 'on'));
    t.is(status.hosts[0]?.console, `${STATE}/rp0/console`);
    t.true(existsSync(`${STATE}/rp0/console`));
    t.true(status.ports.every((p) => p.admin === 'up' && p.oper === 'up'));
    const human = (await run(CLI, ['lab', 'status', '--lab', file])).stdout;
    t.regex(human, /rp0\s+board\s+198\.18\.203\.10\s+198\.19\.0\.2\/24\s+power on/);
    const again = await run(CLI, ['lab', 'up', '--lab', file], { allowFail: true });
    t.is(again.code, 2);
    t.regex(again.stderr, /VLAB_BUSY/);
    await run(CLI, ['lab', 'down', '--lab', file]);
    t.deepEqual(await leftovers(PREFIX, STATE), []);
    const down = JSON.parse(
      (await run(CLI, ['lab', 'status', '--lab', file, '--json'])).stdout,
    ) as { up: boolean };
    t.false(down.up);
  },
);

test.serial(
  'lab down after the supervisor was killed leaves nothing: boards, peers, snmpd, consoles',
  async (t) => {
    if (blocker) return t.pass(`skipped: ${blocker}`);
    await vlabDown(file);
    const up = await vlabUp(file);
    const sup = supervisorPid(up.stateDir);
    t.truthy(sup);
    process.kill(sup ?? 0, 'SIGKILL');
    await waitFor('supervisor gone', () => supervisorPid(up.stateDir) === undefined, 5000);
    const orphans = (await ip(undefined, ['netns', 'pids', `${PREFIX}-h-rp0`])).stdout.trim();
    t.not(orphans, '', 'the board still runs without its supervisor');
    await vlabDown(file);
    t.deepEqual(await leftovers(PREFIX, STATE), []);
  },
);
