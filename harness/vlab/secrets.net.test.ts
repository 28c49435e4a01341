/**
 * The lab's secrets (console password, SNMP communities, here from the
 * environment) never show on a process command line or environment (`ps e`), in `lab up` or
 * `lab status` output, or in any log of the lab, while it comes up, boots a
 * board and takes a console login. Prefix hlv5e, subnet 198.18.204.0/24.
 */
import { randomBytes } from 'node:crypto';
import { lstatSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import test from 'ava';
import { loadLab } from '../lab/load.ts';
import { vlabDown, vlabPower } from './index.ts';
import { writeVirtualLab } from './lab-file.ts';
import { run } from './sh.ts';
import { ConsoleReader, leftovers, netTestBlocker } from './testing.ts';

const PREFIX = 'hlv5e';
const CLI = join(dirname(fileURLToPath(import.meta.url)), '../cli/hitless.mjs');
const DIR = `/tmp/hitless-test-${PREFIX}-${process.pid}`;
const SECRETS = {
  HLV5E_CONSOLE_PASSWORD: `pw-${randomBytes(6).toString('hex')}`,
  HLV5E_SNMP_RO: `ro-${randomBytes(6).toString('hex')}`,
  HLV5E_SNMP_RW: `rw-${randomBytes(6).toString('hex')}`,
};
const blocker = netTestBlocker();
let file = '';

test.before(async () => {
  if (blocker) return;
  Object.assign(process.env, SECRETS);
  file = writeVirtualLab({ prefix: PREFIX, subnet: 204, dir: DIR });
  const text = readFileSync(file, 'utf8')
    .replaceAll('{ file: "{state}/secrets/console-password" }', '{ env: HLV5E_CONSOLE_PASSWORD }')
    .replaceAll('{ file: "{state}/secrets/snmp-read" }', '{ env: HLV5E_SNMP_RO }')
    .replaceAll('{ file: "{state}/secrets/snmp-write" }', '{ env: HLV5E_SNMP_RW }');
  writeFileSync(file, text);
  await vlabDown(file);
});

test.after.always(async () => {
  if (blocker) return;
  await vlabDown({ prefix: PREFIX });
  rmSync(DIR, { recursive: true, force: true });
});

/**
 * Watches every process command line, and the environment of every process
 * that did not inherit the user's secret variables, for a secret until stopped.
 */
function watchProcesses(values: string[]) {
  const hits = new Set<string>();
  const names = Object.keys(SECRETS).map((n) => `${n}=`);
  const scan = () => {
    for (const e of readdirSync('/proc')) {
      if (!Number(e)) continue;
      try {
        const cmd = readFileSync(`/proc/${e}/cmdline`, 'utf8').replaceAll('\0', ' ');
        const leaked = values.filter((v) => cmd.includes(v));
        if (leaked.length) hits.add(`${cmd.split(' ')[0]} command line`);
        const env = readFileSync(`/proc/${e}/environ`, 'utf8');
        if (!names.some((n) => env.includes(n)) && values.some((v) => env.includes(v)))
          hits.add(`${cmd.split(' ')[0]} environment`);
      } catch {
        // gone meanwhile
      }
    }
  };
  const timer = setInterval(scan, 5);
  return {
    stop: () => {
      clearInterval(timer);
      scan();
      return [...hits];
    },
  };
}

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .map((f) => join(dir, f))
    .filter((f) => {
      try {
        return lstatSync(f).isFile();
      } catch {
        return false;
      }
    });
}

test.serial(
  'secrets stay off command lines, outputs and logs through up, boot and console login',
  async (t) => {
    if (blocker) return t.pass(`skipped: ${blocker}`);
    const values = Object.values(SECRETS);
    const watch = watchProcesses(values);
    let outputs = '';
    try {
      const up = await run(CLI, ['lab', 'up', '--lab', file, '--json'], { timeoutMs: 60_000 });
      outputs += up.stdout + up.stderr;
      const lab = loadLab(file);
      const rp0 = lab.boards[0];
      if (!rp0) throw new Error('no rp0');
      const con = await ConsoleReader.open(rp0.console.port);
      try {
        await vlabPower(lab, 'rp0', 'cycle');
        const first = await con.expect(/rp0 login: $/, 20_000);
        con.write('root\r');
        const wrongPw = await con.expect(/Password: $/, 5000, first.end);
        con.write(`${SECRETS.HLV5E_SNMP_RW}\r`);
        const login = await con.expect(/Login incorrect\r?\n\r?\nrp0 login: $/, 5000, wrongPw.end);
        con.write('root\r');
        const pw = await con.expect(/Password: $/, 5000, login.end);
        con.write(`${SECRETS.HLV5E_CONSOLE_PASSWORD}\r`);
        const prompt = await con.expect(/root@rp0:~# $/, 5000, pw.end);
        con.write('echo logged-$((1+1))\r');
        await con.expect(/logged-2/, 5000, prompt.end);
        t.false(con.text.includes(SECRETS.HLV5E_CONSOLE_PASSWORD), 'the password is not echoed');
      } finally {
        await con.close();
      }
      for (const args of [['--json'], []]) {
        const s = await run(CLI, ['lab', 'status', '--lab', file, ...args]);
        outputs += s.stdout + s.stderr;
      }
      t.regex(outputs, /"bringUpMs"/);
      t.regex(outputs, /power on/);
      t.deepEqual(
        values.filter((v) => outputs.includes(v)),
        [],
        'no secret in lab up / status output',
      );
      // snmpd's own config must carry the communities (mode 0600); every other file of the lab must not.
      t.is(lstatSync(`${lab.stateDir}/snmpd.conf`).mode & 0o777, 0o600);
      const leaky = filesUnder(lab.stateDir)
        .filter((f) => !f.endsWith('/snmpd.conf'))
        .filter((f) => values.some((v) => readFileSync(f, 'utf8').includes(v)));
      t.deepEqual(leaky, [], 'no secret in the logs or files of the lab');
    } finally {
      t.deepEqual(
        watch.stop(),
        [],
        'no secret on a process command line or in a copied environment',
      );
    }
    await vlabDown(file);
    t.deepEqual(await leftovers(PREFIX, loadLab(file).stateDir), []);
  },
);
