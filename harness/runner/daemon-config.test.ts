/** The daemon config and status the runner reads and writes. */
import test from 'ava';
import { parse } from 'yaml';
import { loadLab } from '../lab/load.ts';
import { testplanSchema } from '../plan/schema.ts';
import { parseStatus } from './board-daemon.ts';
import { pickRoles } from './chassis.ts';
import { boardLanAddress, daemonConfigYaml } from './daemon-config.ts';

const lab = loadLab();
const plan = testplanSchema.parse({
  name: 'x',
  traffic: {},
  faults: { schedule: [{ kind: 'kill-active' }] },
});

test('each board gets the chassis address, the apps with SSO and the HA block of the lab', (t) => {
  const [rp0, rp1] = lab.boards;
  const c0 = parse(daemonConfigYaml(lab, rp0!, plan));
  const c1 = parse(daemonConfigYaml(lab, rp1!, plan, { replicationOff: 'key' }));
  const alone = parse(daemonConfigYaml(lab, rp1!, plan, { replicationOff: 'no-ha' }));
  t.is(alone.ha, undefined, 'no HA block: nothing replicated');
  t.is(c0.front.address, '198.19.0.1/24');
  t.is(c0.front.bridge, 'front0');
  t.deepEqual(c0.ha.ipc, { local: '198.18.255.1', mate: '198.18.255.2', port: 7400 });
  t.deepEqual(c1.ha.ipc, { local: '198.18.255.2', mate: '198.18.255.1', port: 7400 });
  t.deepEqual(c0.ha.lan, { local: '198.19.0.2', mate: '198.19.0.3' });
  t.is(c0.ha.key_file, '/root/hitless-ipc.key');
  t.is(c0.ha.replication, undefined);
  t.is(c1.ha.replication, false);
  t.deepEqual(
    c0.apps.map((a: { kind: string; port: number; sso: boolean }) => [a.kind, a.port, a.sso]),
    [
      ['stream', 5001, true],
      ['echo', 7, true],
    ],
  );
  t.is(boardLanAddress(lab, 1), '198.19.0.3');
});

test('status: the control socket answer and the CLI form both parse; garbage is a stopped daemon', (t) => {
  const b = lab.boards[0]!;
  const ha = parseStatus(
    b,
    '{"ok":true,"result":{"daemon":{"pid":7},"ha":{"role":"standby","sync":"hot","epoch":3}}}\n',
  );
  t.like(ha, { running: true, ha: true, role: 'standby', sync: 'hot', epoch: 3, pid: 7 });
  const single = parseStatus(
    b,
    JSON.stringify({ daemon: { pid: 9, role: 'active' }, tcp: { connections: 4 } }, null, 2),
  );
  t.like(single, { running: true, ha: false, role: 'active', connections: 4 });
  // An HA daemon answers as a single board while it starts: booting, not a second active.
  const starting = parseStatus(
    b,
    '{"ok":true,"result":{"daemon":{"pid":9,"mode":"single","role":"active"}}}',
    true,
  );
  t.like(starting, { running: true, ha: true, role: 'booting' });
  t.like(parseStatus(b, 'socat: connection refused'), { running: false });
});

test('roles: HA roles as reported, the highest epoch winning; without HA the board carrying connections', (t) => {
  const s = (board: string, slot: number, extra: object) => ({
    board,
    slot,
    reachable: true,
    running: true,
    ha: true,
    ...extra,
  });
  t.deepEqual(
    pickRoles([
      s('rp0', 0, { role: 'active', epoch: 1 }),
      s('rp1', 1, { role: 'active', epoch: 2 }),
    ]),
    { active: 'rp1' },
  );
  t.deepEqual(pickRoles([s('rp0', 0, { role: 'standby' }), s('rp1', 1, { role: 'active' })]), {
    active: 'rp1',
    standby: 'rp0',
  });
  t.deepEqual(
    pickRoles([
      s('rp0', 0, { role: 'active', ha: false, connections: 0 }),
      s('rp1', 1, { role: 'active', ha: false, connections: 3 }),
    ]),
    { active: 'rp1', standby: 'rp0' },
  );
  t.deepEqual(
    pickRoles([{ board: 'rp0', slot: 0, reachable: false, running: false, ha: false }]),
    {},
  );
});
