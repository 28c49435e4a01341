/**
 * Every driver backend against the real services of a virtual chassis: its
 * snmpd (PDU models, IF-MIB switch), OpenSSH servers, and pty consoles.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import test from 'ava';
import { checkPcap } from '../../drivers/capture/pcap-check.ts';
import { TcpdumpCapture } from '../../drivers/capture/tcpdump.ts';
import { login, run } from '../../drivers/console/session.ts';
import { createPowerDriver, type SnmpPowerOptions } from '../../drivers/power/index.ts';
import { ShellError } from '../../drivers/shell/shell.ts';
import { SshShell } from '../../drivers/shell/ssh-shell.ts';
import { resolveSecret } from '../lab/load.ts';
import type { Lab } from '../lab/schema.ts';
import { type VlabUp, vlabDown, vlabStatus, vlabUp, writeVirtualLab } from '../vlab/index.ts';
import { netTestBlocker } from '../vlab/testing.ts';
import { consoleFor, linkFor, loginOptions, powerFor, powerOptions, shellFor } from './from-lab.ts';

const blocked = netTestBlocker();
/** Without root (and outside CI) these tests are skipped, never counted as passes. */
const netTest = blocked ? test.serial.skip : test.serial;
if (blocked) console.log(`skipping virtual chassis tests: ${blocked}`);
let up: VlabUp;
let lab: Lab;
let file: string;
const tmp = mkdtempSync(join(tmpdir(), 'hld6a-'));

test.before(async () => {
  if (blocked) return;
  file = writeVirtualLab({ prefix: 'hld6a', subnet: 210 });
  await vlabDown(file);
  up = await vlabUp(file);
  lab = up.lab;
});
test.after.always(async () => {
  if (!blocked && file) await vlabDown(file);
  rmSync(tmp, { recursive: true, force: true });
});

async function hostPower(name: string): Promise<string | undefined> {
  const s = (await vlabStatus(lab)) as unknown as { hosts: { name: string; power: string }[] };
  return s.hosts.find((h) => h.name === name)?.power;
}

async function until(what: string, cond: () => Promise<boolean>, ms: number): Promise<void> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if (await cond().catch(() => false)) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`timed out: ${what}`);
}

netTest(
  'ssh: exec with exit code, pinned key, SFTP verified both ways, stream and kill',
  async (t) => {
    const sh = shellFor(lab, 'peer1');
    t.teardown(() => sh.close());
    const r = await sh.exec('echo out; echo err >&2; exit 5');
    t.deepEqual([r.stdout, r.stderr, r.code], ['out\n', 'err\n', 5]);
    const local = join(tmp, 'blob.bin');
    writeFileSync(local, Buffer.alloc(300_000, 'hitless'));
    await sh.put(local, '/tmp/blob.bin');
    await sh.get('/tmp/blob.bin', join(tmp, 'back.bin'));
    t.true(readFileSync(join(tmp, 'back.bin')).equals(readFileSync(local)));
    const p = await sh.spawn('for i in $(seq 1 30); do echo tick$i; sleep 0.2; done');
    let seen = '';
    p.onStdout((d) => {
      seen += d.toString();
    });
    await until('first tick', async () => seen.includes('tick1'), 5000);
    await p.kill('TERM');
    const exit = await p.wait();
    t.false(seen.includes('tick30'));
    t.true(exit.code !== 0 || exit.signal !== null);
    const timed = await t.throwsAsync(sh.exec('sleep 5', { timeoutMs: 300 }), {
      instanceOf: ShellError,
    });
    t.is(timed?.code, 'SHELL_TIMEOUT');
  },
);

netTest('ssh: an unknown host and a changed host key are refused', async (t) => {
  const ssh = lab.peers[0]!.ssh;
  const key = resolveSecret(ssh.key, { raw: true });
  const unknown = new SshShell({
    name: 'peer1',
    host: ssh.host,
    user: ssh.user,
    privateKey: key,
    knownHosts: '',
  });
  const e1 = await t.throwsAsync(unknown.exec('true'), { instanceOf: ShellError });
  t.is(e1?.code, 'SHELL_HOST_UNKNOWN');
  // rp0's key listed under peer1's address: a changed key
  const known = readFileSync(lab.knownHosts, 'utf8').split('\n');
  const rp0Line = known.find((l) => l.split(' ')[0]?.split(',').includes(lab.boards[0]!.ssh.host));
  t.truthy(rp0Line);
  const forged = rp0Line!.replace(/^\S+/, ssh.host);
  const changed = new SshShell({
    name: 'peer1',
    host: ssh.host,
    user: ssh.user,
    privateKey: key,
    knownHosts: forged,
  });
  const e2 = await t.throwsAsync(changed.exec('true'), { instanceOf: ShellError });
  t.is(e2?.code, 'SHELL_HOST_KEY_CHANGED');
  t.regex(e2!.message, /SHA256:/);
});

netTest(
  'power (apc-masterswitch from the lab) and console: off, on, boot, login, run',
  async (t) => {
    const con = await consoleFor(lab, 'rp0', join(tmp, 'rp0-console.log'));
    t.teardown(() => con.close());
    const power = powerFor(lab, 'rp0');
    t.teardown(() => power.close());
    const sh = shellFor(lab, 'rp0');
    t.teardown(() => sh.close());
    t.is((await sh.exec('echo before')).stdout, 'before\n');
    await power.off();
    t.is(await power.status(), 'off');
    await until('rp0 off', async () => (await hostPower('rp0')) === 'off', 5000);
    con.discard();
    await power.on();
    t.is(await power.status(), 'on');
    await con.expect(/login:/, 10_000);
    await login(con, { ...loginOptions(lab, 'rp0'), timeoutMs: 15_000 });
    await login(con, { ...loginOptions(lab, 'rp0'), timeoutMs: 5000 }); // already logged in
    const r = await run(con, 'echo from-console; (exit 4)', 5000);
    t.is(r.output.trim(), 'from-console');
    t.is(r.code, 4);
    // the ssh driver reconnects to the rebooted board
    await sh.waitReachable(15_000);
    t.is((await sh.exec('echo after')).stdout, 'after\n');
    t.regex(readFileSync(join(tmp, 'rp0-console.log'), 'utf8'), /^\d{4}-\d\d-\d\dT\S+Z .*login:/m);
  },
);

netTest('console: a wrong password is a clear error', async (t) => {
  const con = await consoleFor(lab, 'rp1');
  t.teardown(() => con.close());
  await run(con, 'true', 100).catch(() => undefined);
  await con.write('exit\r');
  const err = await t.throwsAsync(
    login(con, { user: 'root', password: 'not-the-password', timeoutMs: 20_000 }),
  );
  t.is((err as { code?: string }).code, 'CONSOLE_LOGIN_FAILED');
});

netTest('power: the other PDU models switch the same outlet on the virtual agent', async (t) => {
  const base = powerOptions(lab, 'rp1') as SnmpPowerOptions;
  for (const model of ['apc-rpdu', 'apc-rpdu2', 'raritan-px2', 'cyberpower', 'eaton'] as const) {
    const p = createPowerDriver({ ...base, model, settleTimeoutMs: 5000 });
    try {
      await p.off();
      t.is(await p.status(), 'off', model);
      await until(`${model}: rp1 off`, async () => (await hostPower('rp1')) === 'off', 5000);
      await p.on();
      t.is(await p.status(), 'on', model);
    } finally {
      p.close();
    }
  }
});

netTest('link: the IPC cable pulled and replugged through IF-MIB', async (t) => {
  await until('rp1 up', async () => (await hostPower('rp1')) === 'on', 10_000);
  const link = linkFor(lab, 'ipc');
  t.teardown(() => link.close());
  await link.down();
  t.deepEqual(await link.status(), { admin: 'down', oper: 'down' });
  const sh = shellFor(lab, 'rp0');
  t.teardown(() => sh.close());
  const carrier = await sh.exec('cat /sys/class/net/ipc0/carrier');
  t.is(carrier.stdout.trim(), '0');
  await link.up();
  t.is((await link.status()).oper, 'up');
});

netTest('capture: tcpdump on a peer, clean stop, fetched and checked', async (t) => {
  const sh = shellFor(lab, 'peer1');
  t.teardown(() => sh.close());
  const cap = new TcpdumpCapture(sh, {
    host: 'peer1',
    iface: 'eth0',
    filter: 'icmp',
    snaplen: 128,
  });
  await cap.start();
  await sh.exec('ping -c 3 -i 0.2 198.19.0.12');
  await cap.stop();
  const s = await cap.fetch(join(tmp, 'peer1.pcap'));
  t.is(s.packets, 6); // 3 requests, 3 replies: nothing lost in the last buffer
  t.is(s.snaplen, 128);
  t.is(s.linkType, 1);
  t.is(cap.packetsCaptured, 6);
  const gone = await sh.exec(`test -e ${cap.remotePath}`);
  t.not(gone.code, 0);
});

netTest('capture: tcpdump stops cleanly by itself when its SSH connection drops', async (t) => {
  const owner = shellFor(lab, 'peer1');
  const sh = shellFor(lab, 'peer1');
  t.teardown(() => sh.close());
  const cap = new TcpdumpCapture(owner, { host: 'peer1', iface: 'eth0', filter: 'icmp' });
  t.teardown(() => sh.exec(`rm -f ${cap.remotePath}`).then(() => undefined));
  await cap.start();
  await sh.exec('ping -c 2 -i 0.2 198.19.0.12');
  // The harness that started it goes away without stopping it.
  await owner.close();
  const running = () => sh.exec(`pgrep -f '[t]cpdump .*${cap.remotePath}'`);
  await until('tcpdump gone', async () => (await running()).code !== 0, 10_000);
  const local = join(tmp, 'orphan.pcap');
  await sh.get(cap.remotePath, local);
  const s = await checkPcap(local);
  t.is(s.packets, 4, 'its last buffer was written: it was stopped, not killed');
});
