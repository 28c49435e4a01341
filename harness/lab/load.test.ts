import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import test from 'ava';
import { ConfigError } from '../../stack/schema/yaml-config.ts';
import { LabError } from './errors.ts';
import { DEFAULT_LAB_FILE, findCable, findHost, loadLab, parseLab, resolveSecret } from './load.ts';
import { labJsonSchema } from './schema.ts';

const LABS = join(dirname(fileURLToPath(import.meta.url)), '../../testplans/labs');
const virtualText = readFileSync(DEFAULT_LAB_FILE, 'utf8');

test('the default virtual lab loads with every path expanded under its state dir', (t) => {
  const lab = loadLab();
  t.is(lab.kind, 'virtual');
  t.is(lab.stateDir, '/run/hitless/labs/hv');
  t.is(lab.knownHosts, '/run/hitless/labs/hv/ssh/known_hosts');
  t.is(lab.boards[0]?.console.port, '/run/hitless/labs/hv/rp0/console');
  t.deepEqual(lab.boards[0]?.ssh.key, { file: '/run/hitless/labs/hv/ssh/id_ed25519' });
  t.deepEqual(lab.pdus[0]?.communities?.write, { file: '/run/hitless/labs/hv/secrets/snmp-write' });
  t.is(findHost(lab, 'peer2').ssh.host, '198.18.0.22');
  t.deepEqual(findCable(lab, 'ipc')?.ifName, 'ge-0/0/24');
  t.is(findCable(lab, 'nope'), undefined);
  t.throws(() => findHost(lab, 'rp9'), { instanceOf: LabError, message: /no host named "rp9"/ });
});

test('the documented real lab loads; a manual switch describes the IPC cable', (t) => {
  const lab = loadLab(join(LABS, 'rpi-example.yaml'));
  t.is(lab.kind, 'real');
  t.deepEqual(lab.boards[0]?.console.password, { env: 'HITLESS_CONSOLE_PASSWORD' });
  t.regex(lab.boards[0]?.console.port ?? '', /^\/dev\/serial\/by-id\//);
  t.is(findCable(lab, 'ipc')?.switch.model, 'manual');
  t.false(lab.knownHosts.startsWith('~'));
});

test('a wrong value is reported with file, line and key', (t) => {
  const bad = virtualText.replace(
    'power: { pdu: pdu0, outlet: 2 }',
    'power: { pdu: pdu0, outlet: two }',
  );
  const err = t.throws(() => parseLab(bad, 'bad.yaml'), { instanceOf: ConfigError });
  const line = bad.split('\n').findIndex((l) => l.includes('outlet: two')) + 1;
  t.regex(err.message, new RegExp(`^bad\\.yaml:${line}: boards\\[1\\]\\.power\\.outlet: `, 'm'));
});

test('unknown keys, unknown PDUs and inline secrets are rejected', (t) => {
  const unknown = virtualText.replace('kind: virtual', 'kind: virtual\ncolour: blue');
  t.throws(() => parseLab(unknown, 'u.yaml'), { instanceOf: ConfigError, message: /colour/ });
  const pdu = virtualText.replace(
    'power: { pdu: pdu0, outlet: 1 }',
    'power: { pdu: pdu9, outlet: 1 }',
  );
  const pduLine = pdu.split('\n').findIndex((l) => l.includes('pdu: pdu9')) + 1;
  t.throws(() => parseLab(pdu, 'p.yaml'), {
    message: new RegExp(
      `^p\\.yaml:${pduLine}: boards\\[0\\]\\.power\\.pdu: no PDU named "pdu9"`,
      'm',
    ),
  });
  const twice = virtualText.replace('- name: peer2', '- name: peer1');
  const twiceLine = twice.split('\n').lastIndexOf('  - name: peer1') + 1;
  t.throws(() => parseLab(twice, 't.yaml'), {
    message: new RegExp(
      `^t\\.yaml:${twiceLine}: peers\\[1\\]\\.name: host name "peer1" used twice`,
      'm',
    ),
  });
  const capture = virtualText.replace('host: peer2, iface', 'host: peer9, iface');
  const captureLine = capture.split('\n').findIndex((l) => l.includes('host: peer9')) + 1;
  t.throws(() => parseLab(capture, 'c.yaml'), {
    message: new RegExp(
      `^c\\.yaml:${captureLine}: captures\\[1\\]\\.host: no host named "peer9"`,
      'm',
    ),
  });
  const inline = virtualText.replace(
    'password: { file: "{state}/secrets/console-password" }',
    'password: hunter2',
  );
  t.throws(() => parseLab(inline, 'i.yaml'), {
    instanceOf: ConfigError,
    message: /console\.password/,
  });
  const outside = virtualText.replace('host: 198.18.0.21', 'host: 10.0.0.21');
  t.throws(() => parseLab(outside, 'o.yaml'), {
    message: /peers\[0\]\.ssh\.host: must be an address in 198\.18\.0\.0\/15/,
  });
  const longPrefix = virtualText.replace('prefix: hv', 'prefix: toolongprefix');
  t.throws(() => parseLab(longPrefix, 'l.yaml'), { message: /prefix/ });
});

test('secrets resolve from the environment or a file and never silently', (t) => {
  process.env.HITLESS_TEST_SECRET_5 = 's3cret\n';
  t.is(resolveSecret({ env: 'HITLESS_TEST_SECRET_5' }), 's3cret');
  t.is(resolveSecret({ env: 'HITLESS_TEST_SECRET_5' }, { raw: true }), 's3cret\n');
  delete process.env.HITLESS_TEST_SECRET_5;
  const missing = t.throws(() => resolveSecret({ env: 'HITLESS_TEST_SECRET_5' }), {
    instanceOf: LabError,
  });
  t.is(missing.code, 'LAB_SECRET_MISSING');
  t.throws(() => resolveSecret({ file: '/nonexistent/secret' }), {
    message: /cannot read \/nonexistent\/secret/,
  });
  t.is(
    resolveSecret({ file: fileURLToPath(import.meta.url) }).split('\n')[0],
    "import { readFileSync } from 'node:fs';",
  );
});

test('the JSON Schema for editors is generated and the checked-in copy is current', (t) => {
  const schema = labJsonSchema() as { properties: Record<string, unknown>; required: string[] };
  t.truthy(schema.properties.boards);
  t.true(schema.required.includes('prefix'));
  const onDisk = JSON.parse(readFileSync(join(LABS, 'lab.schema.json'), 'utf8'));
  t.deepEqual(
    onDisk,
    JSON.parse(JSON.stringify(schema)),
    'regenerate: hitless lab schema -o testplans/labs/lab.schema.json',
  );
});
