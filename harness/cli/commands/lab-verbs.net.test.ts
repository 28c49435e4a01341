/** The lab engineers' verbs end to end: the real CLI against a virtual chassis. */
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import test from 'ava';
import { checkPcap } from '../../../drivers/capture/pcap-check.ts';
import { vlabDown, vlabUp, writeVirtualLab } from '../../vlab/index.ts';
import { netTestBlocker } from '../../vlab/testing.ts';

const blocked = netTestBlocker();
/** Without root (and outside CI) these tests are skipped, never counted as passes. */
const netTest = blocked ? test.serial.skip : test.serial;
if (blocked) console.log(`skipping virtual chassis tests: ${blocked}`);
const cli = join(import.meta.dirname, '..', 'hitless.mjs');
const tmp = mkdtempSync(join(tmpdir(), 'hld6c-'));
let file: string;

test.before(async () => {
  if (blocked) return;
  file = writeVirtualLab({ prefix: 'hld6c', subnet: 211 });
  await vlabDown(file);
  await vlabUp(file);
});
test.after.always(async () => {
  if (!blocked && file) await vlabDown(file);
  rmSync(tmp, { recursive: true, force: true });
});

/** `--lab` goes right after the verb, before any `--`. */
function withLab(args: string[]): string[] {
  return [args[0]!, '--lab', file, ...args.slice(1)];
}

function hitless(
  args: string[],
  owner = 'tester',
): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      cli,
      withLab(args),
      { env: { ...process.env, HITLESS_OWNER: owner }, timeout: 30_000 },
      (err, stdout, stderr) => {
        const code = err ? (typeof err.code === 'number' ? err.code : 99) : 0;
        resolve({ code, stdout, stderr });
      },
    );
  });
}

function spawnHitless(
  args: string[],
  owner = 'tester',
): { child: ChildProcess; out: () => string } {
  const child = spawn(cli, withLab(args), { env: { ...process.env, HITLESS_OWNER: owner } });
  let out = '';
  child.stdout!.on('data', (d: Buffer) => {
    out += d.toString();
  });
  child.stderr!.on('data', (d: Buffer) => {
    out += d.toString();
  });
  return { child, out: () => out };
}

async function until(what: string, cond: () => boolean, ms: number): Promise<void> {
  const deadline = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out: ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

function exited(child: ChildProcess): Promise<number | null> {
  return new Promise((r) =>
    child.exitCode !== null ? r(child.exitCode) : child.once('exit', (c) => r(c)),
  );
}

netTest('power off | status | on', async (t) => {
  const off = await hitless(['power', 'off', 'rp1']);
  t.is(off.code, 0, off.stderr);
  t.is(off.stdout, 'rp1: power off\n');
  const st = await hitless(['power', 'status', 'rp1', '--json']);
  t.deepEqual(JSON.parse(st.stdout), { board: 'rp1', power: 'off' });
  const on = await hitless(['power', 'on', 'rp1']);
  t.is(on.stdout, 'rp1: power on\n');
  const bad = await hitless(['power', 'on', 'rp7']);
  t.is(bad.code, 2);
  t.regex(bad.stderr, /no board named "rp7"/);
});

netTest('link down | status | up', async (t) => {
  const down = await hitless(['link', 'down', 'peer2']);
  t.is(down.code, 0, down.stderr);
  t.is(down.stdout, 'peer2: admin down, carrier down\n');
  const up = await hitless(['link', 'up', 'peer2']);
  t.is(up.stdout, 'peer2: admin up, carrier up\n');
});

netTest('ssh HOST -- CMD passes output and exit status through', async (t) => {
  const r = await hitless(['ssh', 'peer1', '--', 'echo hi from $(hostname); exit 3']);
  t.is(r.code, 3);
  t.regex(r.stdout, /^hi from /);
});

netTest('capture HOST --iface --filter --duration -o', async (t) => {
  const out = join(tmp, 'cap.pcap');
  const cap = spawnHitless([
    'capture',
    'peer1',
    '--iface',
    'eth0',
    '--filter',
    'icmp',
    '--duration',
    '3s',
    '-o',
    out,
  ]);
  const ping = await hitless(['ssh', 'peer2', '--', 'ping -c 10 -i 0.2 198.19.0.11']);
  t.is(ping.code, 0);
  t.is(await exited(cap.child), 0, cap.out());
  const s = await checkPcap(out);
  t.true(s.packets >= 2, `${s.packets} packets`);
  t.regex(cap.out(), new RegExp(`${s.packets} packets`));
});

netTest('console BOARD is interactive and Ctrl-] leaves', async (t) => {
  const c = spawnHitless(['console', 'rp0']);
  t.teardown(() => {
    if (c.child.exitCode === null) c.child.kill('SIGKILL');
  });
  await until('connected', () => c.out().includes('Escape: Ctrl-]'), 10_000);
  c.child.stdin!.write('\r');
  await until('a prompt', () => /login:|# /.test(c.out()), 10_000);
  c.child.stdin!.write('\x1d');
  t.is(await exited(c.child), 0);
  t.regex(c.out(), /Disconnected from rp0/);
});

netTest(
  'lock | who | unlock; a second taker is refused; a killed holder frees the lab',
  async (t) => {
    const a = await hitless(['lock', '--ttl', '10m'], 'alice');
    t.is(a.code, 0, a.stderr);
    t.regex((await hitless(['who'])).stdout, /held by alice/);
    const b = await hitless(['lock'], 'bob');
    t.is(b.code, 2);
    t.regex(b.stderr, /LEASE_HELD: lab \S+ is held by alice/);
    const p = await hitless(['power', 'off', 'rp1'], 'bob');
    t.is(p.code, 2);
    t.regex(p.stderr, /held by alice/);
    t.is((await hitless(['unlock'], 'bob')).code, 2);
    t.is((await hitless(['unlock'], 'alice')).code, 0);
    t.regex((await hitless(['who'])).stdout, /is free/);

    const holder = spawnHitless(['lock', '--hold', '--ttl', '30s'], 'carol');
    t.teardown(() => {
      if (holder.child.exitCode === null) holder.child.kill('SIGKILL');
    });
    await until('carol holds', () => holder.out().includes('locked by carol'), 10_000);
    t.regex((await hitless(['lock'], 'dave')).stderr, /held by carol/);
    holder.child.kill('SIGKILL');
    await exited(holder.child);
    const d = await hitless(['lock', '--ttl', '1m'], 'dave');
    t.is(d.code, 0, d.stderr);
    t.is((await hitless(['unlock'], 'dave')).code, 0);
  },
);
