/**
 * A board boots the real stack daemon (`hitless rpd --config /root/rpd.yaml`)
 * when its config is installed, answers `rpd status` over SSH, and loses it
 * with every other process on power off. Both boards run the same
 * single-board config: each has its own /run/hitless, so their status sockets
 * do not collide. Prefix hlv5f, subnet 198.18.205.0/24, boot time 2.5 s.
 */
import { spawn } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import test from 'ava';
import { netnsPids } from './build.ts';
import { type VlabUp, vlabDown, vlabPower, vlabUp, writeVirtualLab } from './index.ts';
import { waitFor } from './sh.ts';
import { alive } from './teardown.ts';
import { leftovers, netTestBlocker, sshRun } from './testing.ts';

const PREFIX = 'hlv5f';
const BOOT_MS = 2500;
const CLI = join(dirname(fileURLToPath(import.meta.url)), '../cli/hitless.mjs');
const DIR = `/tmp/hitless-test-${PREFIX}-${process.pid}`;
const CONFIG = [
  'slot: 0',
  'front: { tap: hl0, address: 198.19.0.1/24, mac: "02:00:5e:10:00:01", bridge: front0 }',
  'apps: []',
  '',
].join('\n');
const blocker = netTestBlocker();
let up: VlabUp | undefined;

test.before(async () => {
  if (blocker) return;
  const file = writeVirtualLab({ prefix: PREFIX, subnet: 205, dir: DIR, bootMs: BOOT_MS });
  await vlabDown(file);
  up = await vlabUp(file);
});

test.after.always(async () => {
  if (blocker) return;
  await vlabDown({ prefix: PREFIX });
  rmSync(DIR, { recursive: true, force: true });
});

function host(name: string) {
  const h = up?.hosts.find((x) => x.name === name);
  if (!up || !h) throw new Error(`lab not up or no ${name}`);
  return { l: up, h };
}

async function rpdStatus(name: string): Promise<{ daemon?: { slot?: number; pid?: number } }> {
  const { l, h } = host(name);
  const r = await sshRun(l, h, `${CLI} rpd status --json --config /root/rpd.yaml`, 15_000);
  return r.code === 0 ? JSON.parse(r.stdout) : {};
}

test.serial(
  'both boards boot the daemon from /root/rpd.yaml; rpd status answers over SSH on each',
  async (t) => {
    if (blocker) return t.pass(`skipped: ${blocker}`);
    for (const name of ['rp0', 'rp1']) {
      const { l, h } = host(name);
      t.is((await sshRun(l, h, `cat > /root/rpd.yaml <<'EOF'\n${CONFIG}EOF`)).code, 0);
    }
    const { l } = host('rp0');
    await Promise.all([vlabPower(l.lab, 'rp0', 'cycle'), vlabPower(l.lab, 'rp1', 'cycle')]);
    for (const name of ['rp0', 'rp1']) {
      const status = await waitFor(
        `${name} rpd status`,
        async () => {
          const s = await rpdStatus(name);
          return s.daemon ? s : undefined;
        },
        40_000,
        300,
      );
      t.is(status.daemon?.slot, 0, name);
      const { h } = host(name);
      const sock = await sshRun(l, h, 'ls /run/hitless; ls /run/hitless/labs');
      t.is(sock.stdout, `labs\nrpd-hl0.sock\n${PREFIX}\n`, `${name}: a private /run/hitless`);
    }
    // The console shows the boot in order, and the login only after the configured boot time.
    const log = readFileSync(`${l.stateDir}/rp0/console.log`, 'utf8');
    const boot = log.slice(log.lastIndexOf('virtual route processor rp0'));
    const at = (re: RegExp) => boot.search(re);
    const order = [
      /net: mgmt/,
      /sshd: listening/,
      /rpd: started with \/root\/rpd\.yaml/,
      /boot complete/,
      /rp0 login: /,
    ].map(at);
    t.true(
      order.every((i) => i > 0),
      `boot log:\n${boot}`,
    );
    t.deepEqual(
      [...order].sort((a, b) => a - b),
      order,
      `boot log:\n${boot}`,
    );
    const done = /\[\s*(\d+)\.(\d{3})\] boot complete/.exec(boot);
    t.true(Number(done?.[1]) * 1000 + Number(done?.[2]) >= BOOT_MS, done?.[0]);
  },
);

test.serial(
  'outlet off kills the daemon with every process of the board; the mate keeps running',
  async (t) => {
    if (blocker) return t.pass(`skipped: ${blocker}`);
    const { l } = host('rp0');
    const ns = `${PREFIX}-h-rp0`;
    // A process the harness runs in the board's network from outside (not over SSH) dies too.
    const outside = spawn('ip', ['netns', 'exec', ns, 'sleep', '300'], { stdio: 'ignore' });
    t.teardown(() => outside.kill('SIGKILL'));
    await waitFor(
      'sleep in rp0 netns',
      async () => (await netnsPids(ns)).includes(outside.pid ?? -1),
      5000,
    );
    const pids = await netnsPids(ns);
    const daemon = pids.filter((p) => {
      try {
        return readFileSync(`/proc/${p}/cmdline`, 'utf8').includes('rpd\0--config\0/root/rpd.yaml');
      } catch {
        return false;
      }
    });
    t.is(daemon.length, 1, 'the daemon runs on rp0');
    await vlabPower(l.lab, 'rp0', 'off');
    await waitFor('rp0 processes gone', () => pids.every((p) => !alive(p)), 5000);
    t.false(alive(daemon[0] ?? 0));
    t.false(alive(outside.pid ?? 0), 'the process run with ip netns exec is gone');
    t.is((await rpdStatus('rp1')).daemon?.slot, 0, 'rp1 still answers');
    await vlabDown(l.lab);
    t.deepEqual(await leftovers(PREFIX, l.stateDir), []);
  },
);
