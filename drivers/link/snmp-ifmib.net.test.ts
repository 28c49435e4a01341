import { snmpAgentTests } from '../testing/snmp-agent.ts';
import { createLinkDriver, LinkError } from './index.ts';

const { netTest, agent } = snmpAgentTests('hldl-');

const base = () => ({
  model: 'snmp-ifmib' as const,
  device: 'sw-test',
  host: agent().host,
  community: agent().rw,
  settleTimeoutMs: 3000,
  pollMs: 50,
  snmpTimeouts: [1000, 2000],
});

netTest('ifName is looked up, admin set and read back, oper followed', async (t) => {
  const l = createLinkDriver({ ...base(), cable: 'ipc', ifName: 'ipc' });
  t.teardown(() => l.close());
  t.deepEqual(await l.status(), { admin: 'up', oper: 'up' });
  await l.down();
  t.is(agent().state().admin['3'], 2);
  t.deepEqual(await l.status(), { admin: 'down', oper: 'down' });
  await l.up();
  t.is(agent().state().admin['3'], 1);
});

netTest('an unknown ifName names the ports the switch has', async (t) => {
  const l = createLinkDriver({ ...base(), cable: 'x', ifName: 'ge-9/9/9' });
  t.teardown(() => l.close());
  const err = await t.throwsAsync(l.down(), { instanceOf: LinkError });
  t.is(err?.code, 'LINK_UNKNOWN_PORT');
  t.regex(err!.message, /lan-rp0, lan-rp1, ipc/);
});

netTest('the read-only community cannot pull a cable', async (t) => {
  const l = createLinkDriver({
    ...base(),
    community: agent().ro,
    cable: 'peer1',
    ifName: 'lan-peer1',
  });
  t.teardown(() => l.close());
  const err = await t.throwsAsync(l.down(), { instanceOf: LinkError });
  t.regex(err!.message, /SNMP_NO_WRITE_ACCESS.*\.1\.3\.6\.1\.2\.1\.2\.2\.1\.7\.5/);
});
