/**
 * The virtual chassis against real services: OpenSSH with pinned host keys,
 * net-snmp's snmpset on the PDU and switch, the board console, and a clean
 * teardown. Lab prefix hlv5a, management subnet 198.18.200.0/24.
 */
import { spawn } from 'node:child_process';
import { mkdirSync, rmSync } from 'node:fs';
import test from 'ava';
import { resolveSecret } from '../lab/load.ts';
import { type VlabUp, vlabDown, vlabPower, vlabUp, writeVirtualLab } from './index.ts';
import { tcpOpen } from './probe.ts';
import { ip, run, waitFor } from './sh.ts';
import { alive } from './teardown.ts';
import { ConsoleReader, leftovers, netTestBlocker, sshRun } from './testing.ts';

const PREFIX = 'hlv5a';
const blocker = netTestBlocker();
let labFile = '';
let up: VlabUp | undefined;

test.before(async () => {
  if (blocker) return;
  const dir = `/tmp/hitless-test-${PREFIX}-${process.pid}`;
  mkdirSync(dir, { recursive: true });
  // The daemon is deployed to the board's own /root by the daemon test below.
  labFile = writeVirtualLab({ prefix: PREFIX, subnet: 200, dir, daemon: '/root/fake-rpd' });
  await vlabDown(labFile);
  up = await vlabUp(labFile);
});

test.after.always(async () => {
  if (blocker) return;
  await vlabDown({ prefix: PREFIX });
  rmSync(`/tmp/hitless-test-${PREFIX}-${process.pid}`, { recursive: true, force: true });
});

function lab(): VlabUp {
  if (!up) throw new Error('lab not up');
  return up;
}

function snmp(cmd: 'snmpget' | 'snmpset', community: 'read' | 'write', ...args: string[]) {
  const l = lab();
  const dev = l.lab.pdus[0];
  if (!dev?.communities || !dev.address) throw new Error('virtual lab without an SNMP PDU');
  const c = resolveSecret(dev.communities[community]);
  return run(cmd, ['-v2c', '-c', c, '-t', '2', '-r', '1', '-Oqv', dev.address, ...args], {
    allowFail: true,
  });
}

const OUTLET = (n: number) => `.1.3.6.1.4.1.318.1.1.4.4.2.1.3.${n}`;

async function carrier(ns: string, ifname: string): Promise<string> {
  return (
    await run('ip', ['netns', 'exec', ns, 'cat', `/sys/class/net/${ifname}/carrier`], {
      allowFail: true,
    })
  ).stdout.trim();
}

test.serial(
  'lab up reports a bring-up time and every host answers SSH with its pinned host key',
  async (t) => {
    if (blocker) return t.pass(`skipped: ${blocker}`);
    const l = lab();
    t.log(`bring-up ${l.bringUpMs} ms`);
    t.true(l.bringUpMs > 0 && l.bringUpMs < 20_000);
    t.is(l.hosts.length, 4);
    for (const h of l.hosts) {
      const r = await sshRun(l, h, 'hostname; cat /proc/1/cmdline | tr "\\0" " "');
      t.is(r.code, 0, `${h.name}: ${r.stderr}`);
      t.is(r.stdout.split('\n')[0], h.name);
      t.regex(r.stdout, /boot\.sh|sleep/);
    }
    // A client that does not know the host key is refused.
    const strict = await run(
      'ssh',
      [
        '-o',
        'BatchMode=yes',
        '-o',
        'StrictHostKeyChecking=yes',
        '-o',
        'UserKnownHostsFile=/dev/null',
        '-o',
        'GlobalKnownHostsFile=/dev/null',
        '-i',
        l.hosts[0]?.keyPath ?? '',
        `root@${l.hosts[0]?.address}`,
        'true',
      ],
      { allowFail: true },
    );
    t.not(strict.code, 0);
    t.regex(strict.stderr, /verification failed|No .* host key is known/i);
  },
);

test.serial(
  'the read-only community cannot set; IF-MIB serves ifName for every port',
  async (t) => {
    if (blocker) return t.pass(`skipped: ${blocker}`);
    const denied = await snmp('snmpset', 'read', OUTLET(1), 'i', '2');
    t.not(denied.code, 0);
    t.regex(denied.stderr, /noAccess|notWritable|authorization/i);
    t.is((await snmp('snmpget', 'read', OUTLET(1))).stdout.trim(), '1');
    const names = await run(
      'snmpwalk',
      [
        '-v2c',
        '-c',
        resolveSecret(lab().lab.switches[0]?.communities?.read ?? { env: 'X' }),
        '-Oqv',
        lab().agent.addresses[0] ?? '',
        '.1.3.6.1.2.1.31.1.1.1.1',
      ],
      { allowFail: true },
    );
    t.deepEqual(
      names.stdout
        .trim()
        .split('\n')
        .map((s) => s.replaceAll('"', '')),
      Object.values(lab().lab.switches[0]?.ports ?? {}),
    );
  },
);

test.serial(
  'outlet off kills every process of rp0 and silences it; outlet on boots it to a working console login',
  async (t) => {
    if (blocker) return t.pass(`skipped: ${blocker}`);
    const l = lab();
    const rp0 = l.hosts.find((h) => h.name === 'rp0');
    if (!rp0?.console) throw new Error('no rp0');
    // A shell started over SSH must die with the board too.
    const bg = await sshRun(l, rp0, 'nohup sleep 1000 >/dev/null 2>&1 & echo started');
    t.is(bg.code, 0);
    const before = (await ip(undefined, ['netns', 'pids', rp0.namespace])).stdout
      .split('\n')
      .map(Number)
      .filter(Boolean);
    t.true(before.length >= 3, `rp0 processes: ${before.join(' ')}`);

    // An open SSH session and a capture on the management bridge: the cut must send nothing (no FIN, no RST).
    const session = spawn('ssh', [
      '-o',
      'BatchMode=yes',
      '-o',
      'StrictHostKeyChecking=yes',
      '-o',
      `UserKnownHostsFile=${l.knownHosts}`,
      '-i',
      rp0.keyPath,
      `root@${rp0.address}`,
      'echo open; sleep 100',
    ]);
    let opened = '';
    session.stdout.on('data', (d: Buffer) => {
      opened += d.toString();
    });
    await waitFor('ssh session open', () => opened.includes('open'), 5000);
    const pcap = `/tmp/hitless-test-${PREFIX}-${process.pid}/cut.pcap`;
    const dump = spawn('tcpdump', [
      '-U',
      '-n',
      '-i',
      `${PREFIX}-mgmt`,
      '-w',
      pcap,
      'src',
      'host',
      rp0.address,
    ]);
    let dumpErr = '';
    dump.stderr.on('data', (d: Buffer) => {
      dumpErr += d.toString();
    });
    t.teardown(() => {
      session.kill('SIGKILL');
      dump.kill('SIGKILL');
    });
    await waitFor('tcpdump listening', () => dumpErr.includes('listening on'), 5000);

    const off = await snmp('snmpset', 'write', OUTLET(1), 'i', '2');
    t.is(off.code, 0, off.stderr);
    await waitFor('rp0 processes gone', () => before.every((pid) => !alive(pid)), 5000);
    await new Promise((r) => setTimeout(r, 500));
    dump.kill('SIGINT');
    await new Promise((r) => dump.once('exit', r));
    const sent = await run('tcpdump', ['-n', '-r', pcap], { allowFail: true });
    t.is(sent.stdout.trim(), '', 'rp0 sent nothing after the cut');
    t.is(session.exitCode, null, 'the SSH client saw no close: the board vanished');
    session.kill('SIGKILL');
    t.false(await tcpOpen(rp0.address, 22, 500));
    const ping = await run('ping', ['-c', '2', '-W', '1', '-i', '0.2', rp0.address], {
      allowFail: true,
    });
    t.not(ping.code, 0);
    t.is((await snmp('snmpget', 'read', OUTLET(1))).stdout.trim(), '2');
    // The IPC cable lost its far end: rp1 sees no carrier.
    t.is(await carrier('hlv5a-h-rp1', 'ipc0'), '0');

    const con = await ConsoleReader.open(rp0.console);
    try {
      const on = await snmp('snmpset', 'write', OUTLET(1), 'i', '1');
      t.is(on.code, 0, on.stderr);
      const banner = await con.expect(/virtual route processor rp0/, 10_000);
      const login = await con.expect(/rp0 login: $/, 10_000, banner.end);
      con.write('root\r');
      const pw = await con.expect(/Password: $/, 5000, login.end);
      con.write(`${resolveSecret(l.lab.boards[0]?.console.password ?? { env: 'X' })}\r`);
      const prompt = await con.expect(/root@rp0:~# $/, 5000, pw.end);
      con.write('echo out-$((40+2)); cat /sys/class/net/ipc0/carrier\r');
      const res = await con.expect(/out-42\r\n(\d)\r\n/, 5000, prompt.end);
      t.is(res.match[1], '1');
    } catch (err) {
      t.log(con.text);
      t.log((await run('cat', [`${l.stateDir}/supervisor.log`])).stdout);
      throw err;
    } finally {
      await con.close();
    }
    t.is(await carrier('hlv5a-h-rp1', 'ipc0'), '1');
    const again = await sshRun(l, rp0, 'pgrep -c sleep || true');
    t.is(again.code, 0);
    t.is(again.stdout.trim(), '0', 'processes of the previous power-on are gone');
  },
);

test.serial(
  'IF-MIB ifAdminStatus down on the IPC port drops carrier on both boards; up restores it',
  async (t) => {
    if (blocker) return t.pass(`skipped: ${blocker}`);
    const ipcIndex = Object.keys(lab().lab.switches[0]?.ports ?? {}).indexOf('ipc') + 1;
    t.true(ipcIndex > 0);
    const admin = `.1.3.6.1.2.1.2.2.1.7.${ipcIndex}`;
    const oper = `.1.3.6.1.2.1.2.2.1.8.${ipcIndex}`;
    t.is((await snmp('snmpset', 'write', admin, 'i', '2')).code, 0);
    await waitFor(
      'IPC carrier down',
      async () =>
        (await carrier('hlv5a-h-rp0', 'ipc0')) === '0' &&
        (await carrier('hlv5a-h-rp1', 'ipc0')) === '0',
      3000,
    );
    t.is((await snmp('snmpget', 'read', oper)).stdout.trim(), '2');
    t.is((await snmp('snmpset', 'write', admin, 'i', '1')).code, 0);
    await waitFor(
      'IPC carrier up',
      async () =>
        (await carrier('hlv5a-h-rp0', 'ipc0')) === '1' &&
        (await carrier('hlv5a-h-rp1', 'ipc0')) === '1',
      3000,
    );
    t.is((await snmp('snmpget', 'read', oper)).stdout.trim(), '1');
    // The IPC link carries traffic again.
    const ping = await run(
      'ip',
      ['netns', 'exec', 'hlv5a-h-rp0', 'ping', '-c', '1', '-W', '2', '198.18.255.2'],
      { allowFail: true },
    );
    t.is(ping.code, 0, ping.stdout);
  },
);

test.serial('IF-MIB ifAdminStatus down on a LAN port pulls that cable only', async (t) => {
  if (blocker) return t.pass(`skipped: ${blocker}`);
  const peer1 = Object.keys(lab().lab.switches[0]?.ports ?? {}).indexOf('peer1') + 1;
  t.true(peer1 > 0);
  const lanCarrier = async () =>
    `${await carrier('hlv5a-h-peer1', 'eth0')}${await carrier('hlv5a-h-peer2', 'eth0')}`;
  t.is((await snmp('snmpset', 'write', `.1.3.6.1.2.1.2.2.1.7.${peer1}`, 'i', '2')).code, 0);
  await waitFor('peer1 carrier down', async () => (await lanCarrier()) === '01', 3000);
  t.is((await snmp('snmpget', 'read', `.1.3.6.1.2.1.2.2.1.8.${peer1}`)).stdout.trim(), '2');
  t.is((await snmp('snmpset', 'write', `.1.3.6.1.2.1.2.2.1.7.${peer1}`, 'i', '1')).code, 0);
  await waitFor('peer1 carrier up', async () => (await lanCarrier()) === '11', 3000);
});

test.serial(
  'reboot through another PDU model (Raritan cycle) is off, pause, on: /tmp is fresh, /root persists',
  async (t) => {
    if (blocker) return t.pass(`skipped: ${blocker}`);
    const l = lab();
    const rp1 = l.hosts.find((h) => h.name === 'rp1');
    if (!rp1) throw new Error('no rp1');
    t.is((await sshRun(l, rp1, 'echo a > /tmp/volatile; echo b > /root/persistent')).code, 0);
    t.is((await snmp('snmpset', 'write', '.1.3.6.1.4.1.13742.6.4.1.2.1.2.1.2', 'i', '2')).code, 0);
    await waitFor('rp1 off', async () => !(await tcpOpen(rp1.address, 22, 200)), 5000);
    await waitFor(
      'rp1 back',
      async () => (await sshRun(l, rp1, 'true', 3000)).code === 0,
      15_000,
      200,
    );
    const r = await sshRun(
      l,
      rp1,
      'cat /root/persistent; test -e /tmp/volatile && echo stale || echo fresh',
    );
    t.is(r.stdout, 'b\nfresh\n');
    t.is((await snmp('snmpget', 'read', '.1.3.6.1.4.1.13742.6.4.1.2.1.3.1.2')).stdout.trim(), '7');
  },
);

test.serial('a board with a daemon config installed starts the daemon at boot', async (t) => {
  if (blocker) return t.pass(`skipped: ${blocker}`);
  const l = lab();
  const rp0 = l.hosts.find((h) => h.name === 'rp0');
  if (!rp0) throw new Error('no rp0');
  t.is(
    (await sshRun(l, rp0, 'test -e /var/log/rpd.log && echo ran || echo none')).stdout.trim(),
    'none',
  );
  // A stand-in for the stack daemon: it shows its arguments and stays up.
  const install =
    'printf \'#!/bin/sh\\necho fake-rpd "$*"\\nexec sleep 1000\\n\' > /root/fake-rpd; chmod +x /root/fake-rpd';
  t.is((await sshRun(l, rp0, install)).code, 0);
  t.is((await sshRun(l, rp0, 'echo "slot: 0" > /root/rpd.yaml')).code, 0);
  await vlabPower(l.lab, 'rp0', 'cycle');
  await waitFor(
    'rp0 daemon',
    async () =>
      (await sshRun(l, rp0, 'cat /var/log/rpd.log', 3000)).stdout.includes(
        'fake-rpd --config /root/rpd.yaml',
      ),
    15_000,
    200,
  );
  t.regex((await sshRun(l, rp0, 'pgrep -af "sleep 1000"')).stdout, /sleep 1000/);
  const env = await sshRun(l, rp0, 'tr "\\0" "\\n" < /proc/$(pgrep -f "^sleep 1000")/environ');
  t.is(env.code, 0, env.stderr);
  t.regex(env.stdout, /PATH=/);
  t.false(
    env.stdout.includes(resolveSecret(l.lab.boards[0]?.console.password ?? { env: 'X' })),
    'the console password does not leak to the daemon',
  );
});

test.serial('lab down leaves nothing of the prefix, twice', async (t) => {
  if (blocker) return t.pass(`skipped: ${blocker}`);
  const l = lab();
  await vlabDown(labFile);
  t.deepEqual(await leftovers(PREFIX, l.stateDir), []);
  await vlabDown(labFile);
  t.deepEqual(await leftovers(PREFIX, l.stateDir), []);
});
