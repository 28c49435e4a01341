/**
 * Test fixture: Debian snmpd inside a test namespace, with a pass_persist
 * backend playing every PDU model and an IF-MIB switch (see
 * drivers/snmp/fixtures/lab-equipment-pass.mjs). Community `ro-test` reads,
 * `rw-test` writes.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import test from 'ava';
import { SnmpClient } from '../snmp/snmp-client.ts';
import { canUseNetns, createTestNs, type TestNs, waitFor } from './netns.ts';

const PASS = join(
  dirname(fileURLToPath(import.meta.url)),
  '../snmp/fixtures/lab-equipment-pass.mjs',
);
// Two registrations, so snmpd starts only two backend processes; snmpd's own
// more specific registrations (system, UCD, NET-SNMP) still win for theirs.
const SUBTREES = ['.1.3.6.1.4.1', '.1.3.6.1.2.1'];

/** One OID in each subtree. */
const WARM_UP = [
  '.1.3.6.1.2.1.2.2.1.7.1',
  '.1.3.6.1.2.1.2.2.1.8.1',
  '.1.3.6.1.2.1.31.1.1.1.1.1',
  '.1.3.6.1.4.1.318.1.1.4.4.2.1.3.1',
  '.1.3.6.1.4.1.13742.6.4.1.2.1.3.1.1',
  '.1.3.6.1.4.1.3808.1.1.3.3.3.1.1.4.1',
  '.1.3.6.1.4.1.534.6.6.7.6.6.1.2.0.1',
];

export interface TestAgent {
  host: string;
  port: number;
  ro: string;
  rw: string;
  net: TestNs;
  /** Current simulated state (outlets, ports). */
  state(): { outlets: Record<string, { on: boolean }>; admin: Record<string, number> };
  stop(): Promise<void>;
}

export async function startTestAgent(prefix: string, slot = 0): Promise<TestAgent> {
  const net = createTestNs(prefix, `a${slot}`, slot);
  const dir = mkdtempSync(join(tmpdir(), `${prefix}snmp-`));
  const stateFile = join(dir, 'state.json');
  const conf = [
    `rocommunity ro-test ${net.rootAddr}`,
    `rwcommunity rw-test ${net.rootAddr}`,
    ...SUBTREES.map((s) => `pass_persist ${s} ${process.execPath} ${PASS} ${stateFile}`),
  ].join('\n');
  writeFileSync(join(dir, 'snmpd.conf'), `${conf}\n`);
  let child: ChildProcess | undefined = spawn(
    'ip',
    [
      'netns',
      'exec',
      net.ns,
      '/usr/sbin/snmpd',
      '-f',
      '-C',
      '-c',
      join(dir, 'snmpd.conf'),
      '-Lf',
      join(dir, 'snmpd.log'),
      '-I',
      '-ifTable,ifXTable,interfaces',
      `udp:${net.nsAddr}:161`,
    ],
    { stdio: 'ignore', env: { ...process.env, MIBS: '', MIBDIRS: dir } },
  );
  const stop = async (): Promise<void> => {
    const c = child;
    child = undefined;
    if (c?.pid && c.exitCode === null && c.signalCode === null) {
      const gone = new Promise((r) => c.once('exit', r));
      c.kill('SIGTERM');
      // reap it, so no zombie is left behind; snmpd stops its pass_persist children
      await Promise.race([gone, new Promise((r) => setTimeout(r, 3000))]);
    }
    net.remove();
    rmSync(dir, { recursive: true, force: true });
  };
  // snmpd starts one pass_persist process per subtree on first use: start them all now
  const probe = new SnmpClient({ host: net.nsAddr, community: 'ro-test', timeouts: [500, 1000] });
  try {
    for (const oid of WARM_UP)
      await waitFor(
        `snmpd serving ${oid}`,
        async () => (await probe.getString(oid)) !== '',
        15_000,
      );
  } catch (err) {
    await stop();
    throw err;
  } finally {
    probe.close();
  }
  return {
    host: net.nsAddr,
    port: 161,
    ro: 'ro-test',
    rw: 'rw-test',
    net,
    state: () => {
      try {
        return JSON.parse(readFileSync(stateFile, 'utf8'));
      } catch {
        return { outlets: {}, admin: {} };
      }
    },
    stop,
  };
}

/**
 * The agent for one net test file: started before its tests, stopped after.
 * Without root (and outside CI) the tests are skipped and said so, never
 * counted as passes; under CI a missing privilege fails them.
 */
export function snmpAgentTests(prefix: string): {
  netTest: typeof test.serial;
  agent: () => TestAgent;
} {
  const skip = !canUseNetns() && process.env.CI !== 'true';
  if (skip) console.log('skipping SNMP agent tests: they need root for network namespaces');
  let agent: TestAgent | undefined;
  test.before(async () => {
    if (!skip) agent = await startTestAgent(prefix);
  });
  test.after.always(() => agent?.stop());
  return {
    netTest: skip ? (test.serial.skip as unknown as typeof test.serial) : test.serial,
    agent: () => {
      if (!agent) throw new Error(`${prefix}: the SNMP test agent is not running`);
      return agent;
    },
  };
}
