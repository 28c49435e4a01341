import { SnmpClient } from '../snmp/snmp-client.ts';
import { snmpAgentTests } from '../testing/snmp-agent.ts';
import { createPowerDriver, POWER_MODELS, PowerError, type SnmpPowerOptions } from './index.ts';

const { netTest, agent } = snmpAgentTests('hldp-');

const fast = {
  settleTimeoutMs: 3000,
  pollMs: 50,
  retries: 1,
  cycleOffMs: 100,
  snmpTimeouts: [1000, 2000],
};
const models = POWER_MODELS.filter(
  (m): m is SnmpPowerOptions['model'] => m !== 'generic' && m !== 'manual',
);
function opts(
  model: SnmpPowerOptions['model'],
  outlet: number,
  community = agent().rw,
): SnmpPowerOptions {
  return { model, device: `pdu-${model}`, host: agent().host, community, outlet, ...fast };
}

for (const model of models) {
  netTest(`${model}: off, on, cycle, each read back`, async (t) => {
    const p = createPowerDriver(opts(model, 1));
    t.teardown(() => p.close());
    t.is(await p.status(), 'on');
    await p.off();
    t.is(await p.status(), 'off');
    t.false(agent().state().outlets[`${model}.1`]?.on);
    await p.on();
    t.is(await p.status(), 'on');
    t.true(agent().state().outlets[`${model}.1`]?.on);
    await p.cycle();
    t.is(await p.status(), 'on');
  });
}

netTest('a slow outlet is polled until it settles', async (t) => {
  const p = createPowerDriver(opts('apc-rpdu', 3));
  t.teardown(() => p.close());
  const start = Date.now();
  await p.off();
  t.true(Date.now() - start >= 400, 'returned before the outlet settled');
  t.is(await p.status(), 'off');
  await p.on();
});

netTest('eaton writes the delay and waits through pending states', async (t) => {
  const p = createPowerDriver({ ...opts('eaton', 2), delaySeconds: 1, settleTimeoutMs: 5000 });
  t.teardown(() => p.close());
  const start = Date.now();
  await p.off();
  t.true(Date.now() - start >= 900);
  t.is(await p.status(), 'off');
});

netTest('an outlet that never switches fails naming device, outlet, OID and value', async (t) => {
  const p = createPowerDriver({ ...opts('apc-masterswitch', 4), settleTimeoutMs: 200 });
  t.teardown(() => p.close());
  const err = await t.throwsAsync(p.off(), { instanceOf: PowerError });
  t.is(err?.code, 'POWER_STATE_MISMATCH');
  t.regex(err!.message, /pdu-apc-masterswitch/);
  t.regex(err!.message, /outlet 4/);
  t.regex(err!.message, /\.1\.3\.6\.1\.4\.1\.318\.1\.1\.4\.4\.2\.1\.3\.4/);
  t.regex(err!.message, /still reads 1 after 2 attempt/);
});

netTest('the read-only community is refused with no write access', async (t) => {
  const p = createPowerDriver(opts('apc-rpdu2', 2, agent().ro));
  t.teardown(() => p.close());
  const err = await t.throwsAsync(p.off(), { instanceOf: PowerError });
  t.is(err?.code, 'POWER_SNMP');
  t.regex(err!.message, /SNMP_NO_WRITE_ACCESS/);
  t.regex(err!.message, /outlet 2/);
});

netTest('a missing outlet is reported as noSuchInstance, not as a value', async (t) => {
  const p = createPowerDriver(opts('cyberpower', 9));
  t.teardown(() => p.close());
  const err = await t.throwsAsync(p.status(), { instanceOf: PowerError });
  t.regex(err!.message, /SNMP_NO_SUCH_(INSTANCE|OBJECT)/);
  t.regex(err!.message, /3808\.1\.1\.3\.3\.3\.1\.1\.4\.9/);
});

netTest('an unknown OID is noSuchObject and a value out of range is an error status', async (t) => {
  const c = new SnmpClient({ host: agent().host, community: agent().rw, timeouts: [1000, 2000] });
  t.teardown(() => c.close());
  const e1 = await t.throwsAsync(c.getInt('.1.3.6.1.4.1.99999.1.0'));
  t.regex((e1 as unknown as { code: string }).code, /SNMP_NO_SUCH_(OBJECT|INSTANCE)/);
  const e2 = await t.throwsAsync(c.setInt('.1.3.6.1.4.1.318.1.1.4.4.2.1.3.1', 7));
  t.is((e2 as unknown as { code: string }).code, 'SNMP_ERROR_STATUS');
  t.regex(e2!.message, /WrongValue/);
});

netTest('an unreachable agent times out with a clear error', async (t) => {
  const p = createPowerDriver({ ...opts('apc-rpdu', 1, 'wrong-community'), snmpTimeouts: [200] });
  t.teardown(() => p.close());
  const err = await t.throwsAsync(p.status(), { instanceOf: PowerError });
  t.regex(err!.message, /SNMP_TIMEOUT/);
  t.regex(err!.message, /pdu-apc-rpdu/);
});

netTest('operations on one PDU run one at a time', async (t) => {
  const a = createPowerDriver(opts('apc-rpdu', 3));
  const b = createPowerDriver(opts('apc-rpdu', 1));
  t.teardown(() => {
    a.close();
    b.close();
  });
  const order: string[] = [];
  await Promise.all([
    a.off().then(() => order.push('slow')),
    b.off().then(() => order.push('fast')),
  ]);
  t.deepEqual(order, ['slow', 'fast']);
  await Promise.all([a.on(), b.on()]);
});

netTest('generic: OIDs and values from the lab file', async (t) => {
  const p = createPowerDriver({
    model: 'generic',
    device: 'pdu-generic',
    host: agent().host,
    community: agent().rw,
    outlet: 2,
    controlOid: '.1.3.6.1.4.1.13742.6.4.1.2.1.2.1.{outlet}',
    stateOid: '.1.3.6.1.4.1.13742.6.4.1.2.1.3.1',
    values: { on: 1, off: 0 },
    stateValues: { on: 7, off: 8 },
    ...fast,
  });
  t.teardown(() => p.close());
  await p.off();
  t.false(agent().state().outlets['raritan-px2.2']?.on);
  t.is(await p.status(), 'off');
  await p.on();
  t.true(agent().state().outlets['raritan-px2.2']?.on);
});
