/**
 * Two virtual labs with different prefixes at once, each independent.
 * Prefixes hlv5b / hlv5c, subnets 198.18.201.0/24 and 198.18.202.0/24.
 */
import { rmSync } from 'node:fs';
import test from 'ava';
import {
  type VlabUp,
  vlabDown,
  vlabPort,
  vlabPower,
  vlabStatus,
  vlabUp,
  writeVirtualLab,
} from './index.ts';
import { tcpOpen } from './probe.ts';
import { run, waitFor } from './sh.ts';
import { leftovers, netTestBlocker, sshRun } from './testing.ts';

const blocker = netTestBlocker();
const DIR = `/tmp/hitless-test-hlv5bc-${process.pid}`;
const labs: Record<string, { file: string; up?: VlabUp }> = {};

test.before(async () => {
  if (blocker) return;
  for (const [prefix, subnet] of [
    ['hlv5b', 201],
    ['hlv5c', 202],
  ] as const) {
    labs[prefix] = { file: writeVirtualLab({ prefix, subnet, dir: DIR }) };
    await vlabDown({ prefix });
  }
});

test.after.always(async () => {
  if (blocker) return;
  await vlabDown({ prefix: 'hlv5b' });
  await vlabDown({ prefix: 'hlv5c' });
  rmSync(DIR, { recursive: true, force: true });
});

const carrier = async (ns: string) =>
  (
    await run('ip', ['netns', 'exec', ns, 'cat', '/sys/class/net/ipc0/carrier'], {
      allowFail: true,
    })
  ).stdout.trim();

test.serial('two labs come up side by side and do not see each other', async (t) => {
  if (blocker) return t.pass(`skipped: ${blocker}`);
  const [b, c] = await Promise.all([vlabUp(labs.hlv5b?.file), vlabUp(labs.hlv5c?.file)]);
  if (!b || !c) throw new Error('labs not up');
  t.log(`bring-up ${b.bringUpMs} ms and ${c.bringUpMs} ms in parallel`);
  for (const l of [b, c]) {
    for (const h of l.hosts) {
      const r = await sshRun(l, h, 'hostname -s; ip -4 -br addr show mgmt');
      t.is(r.code, 0, `${l.prefix} ${h.name}: ${r.stderr}`);
      t.true(r.stdout.includes(h.address));
    }
  }
  // Lab b's key and known_hosts do not open lab c's hosts.
  const cross = await sshRun(
    b,
    { ...c.hosts[0], keyPath: b.hosts[0]?.keyPath ?? '' } as VlabUp['hosts'][number],
    'true',
  );
  t.not(cross.code, 0);

  await vlabPower(b.lab, 'rp0', 'off');
  await vlabPort(c.lab, 'ipc', false);
  await waitFor('b rp0 silent', async () => !(await tcpOpen(b.hosts[0]?.address ?? '', 22)), 3000);
  const cRp0 = c.hosts.find((h) => h.name === 'rp0');
  if (!cRp0) throw new Error('no rp0');
  t.true(await tcpOpen(cRp0.address, 22, 3000), 'c rp0 still answers');
  t.is(await carrier('hlv5c-h-rp0'), '0');
  t.is(await carrier('hlv5b-h-rp1'), '0', 'b rp1 lost its IPC peer (rp0 off)');
  const sb = await vlabStatus(b.lab);
  const sc = await vlabStatus(c.lab);
  t.is(sb.hosts.find((h) => h.name === 'rp0')?.power, 'off');
  t.is(sc.hosts.find((h) => h.name === 'rp0')?.power, 'on');
  t.is(sb.ports.find((p) => p.cable === 'ipc')?.admin, 'up');
  t.is(sc.ports.find((p) => p.cable === 'ipc')?.admin, 'down');

  await vlabDown(b.lab);
  t.deepEqual(await leftovers('hlv5b', b.stateDir), []);
  const still = await sshRun(c, cRp0, 'echo alive');
  t.is(still.stdout.trim(), 'alive');
  await vlabDown(c.lab);
  t.deepEqual(await leftovers('hlv5c', c.stateDir), []);
});
