/**
 * Connections of apps without `sso` cause no IPC traffic: the active's replication counters
 * and the standby's applied index do not move while they carry data, and the standby holds no
 * connection. An SSO app next to them (the control) does move both.
 */
import {
  agentErrors,
  agentProgress,
  Chassis,
  type Json,
  stopAgent,
  until,
} from './chassis.fixture.ts';
import { haNetTest } from './net-test.fixture.ts';

const PREFIX = `hle2n${process.pid}`;

interface Counters {
  records: number;
  lag: number;
  applied: number;
  activeAll: number;
  activeSso: number;
  standbyAll: number;
}

haNetTest('non-SSO connections cause no replication; an SSO one does', async (t) => {
  t.timeout(85_000);
  const ch = new Chassis(t.teardown, {
    prefix: PREFIX,
    subnet: 72,
    apps: [
      '{ kind: stream, port: 5001, sso: false }',
      '{ kind: echo, port: 7, sso: false }',
      '{ kind: echo, port: 8, sso: true }',
    ],
  });
  await ch.startPair(0);
  const counters = async (): Promise<Counters> => {
    const [a, s] = [await ch.ha(0), await ch.ha(1)];
    const conns = (h: Json) => (h.connections ?? {}) as { all?: number; sso?: number };
    return {
      records: ((a.replication ?? {}) as { records?: number }).records ?? -1,
      lag: ((a.lag ?? {}) as { records?: number }).records ?? -1,
      applied: (s.lastApplied as number | undefined) ?? -1,
      activeAll: conns(a).all ?? -1,
      activeSso: conns(a).sso ?? -1,
      standbyAll: conns(s).all ?? -1,
    };
  };
  const before = await counters();
  t.true(
    before.records >= 0 && before.applied >= 0,
    `counters in status: ${JSON.stringify(before)}`,
  );

  const plain = ch.agent({
    connections: 4,
    apps: 'stream,echo',
    direction: 'both',
    'rate-kbps': 1000,
  });
  await agentProgress(plain, 64 * 1024, 20_000);
  const during = await counters();
  t.true(during.activeAll >= 4, `active holds the connections: ${JSON.stringify(during)}`);
  t.is(during.activeSso, 0);
  t.is(during.standbyAll, 0, 'the standby knows nothing of non-SSO connections');
  t.is(during.records, before.records, 'no replication records for non-SSO connections');
  t.is(during.applied, before.applied, 'the standby applied nothing');
  t.deepEqual(agentErrors(plain), []);

  // Control: one SSO connection moves the counters, so they would have shown the leak.
  const sso = ch.agent({
    connections: 1,
    apps: 'echo',
    'echo-port': 8,
    direction: 'both',
    'rate-kbps': 500,
  });
  await agentProgress(sso, 16 * 1024, 20_000);
  const control = await until(
    async () => {
      const c = await counters();
      return c.applied > during.applied && c.standbyAll >= 1 ? c : undefined;
    },
    10_000,
    'the SSO connection replicated',
  );
  t.true(control.records > during.records);
  t.is(control.activeSso, 1);
  await stopAgent(plain);
  await stopAgent(sso);
});
