import test from 'ava';
import { ConfigError } from '../schema/yaml-config.ts';
import { parseRpdConfig, resolveFront, rpdConfigJsonSchema, statusSocketPath } from './config.ts';

const minimal = `slot: 0
front:
  tap: hl0
  address: 198.18.2.1/24
  mac: 02:00:5e:10:00:01
apps:
  - { kind: echo, port: 7 }
`;

test('the issue 2 contract parses, with defaults', (t) => {
  const c = parseRpdConfig(minimal);
  t.is(c.slot, 0);
  t.like(c.apps, [{ kind: 'echo', port: 7, sso: false }]);
  t.is(statusSocketPath(c), '/run/hitless/rpd-hl0.sock');
  const f = resolveFront(c);
  t.is(f.address, 0xc6120201);
  t.is(f.prefixLength, 24);
  t.deepEqual([...f.mac], [2, 0, 0x5e, 0x10, 0, 1]);
});

test('the issue 4 HA keys, bridge, apps and run_dir are accepted', (t) => {
  const c = parseRpdConfig(`slot: 1
front:
  tap: hl0
  address: 198.18.2.1/24
  mac: 02:00:5e:10:00:01
  bridge: br0
ha:
  ipc:   { local: 198.18.1.1, mate: 198.18.1.2, port: 7400 }
  lan:   { local: 198.18.2.10, mate: 198.18.2.11 }
  heartbeat: { interval_ms: 10, misses: 3 }
  key_file: /etc/hitless/ipc.key
apps:
  - { kind: echo, port: 7, sso: true }
  - { kind: stream, port: 5001, sso: true }
  - { kind: stream, connect: 198.18.2.2:5001, seed: 42 }
  - { kind: discard, port: 9 }
run_dir: /tmp/x
`);
  t.is(c.front.bridge, 'br0');
  t.like(c.ha, { ipc: { port: 7400 }, heartbeat: { interval_ms: 10, misses: 3 } });
  t.is(c.apps.length, 4);
  t.is(statusSocketPath(c), '/tmp/x/rpd-hl0.sock');
});

test('errors name the file, the line and the key', (t) => {
  const bad = minimal.replace('198.18.2.1/24', '198.18.2.300/24').replace('port: 7', 'port: 70000');
  const err = t.throws(() => parseRpdConfig(bad, 'board.yaml'), { instanceOf: ConfigError });
  t.regex(err.message, /board\.yaml:4: front\.address: expected an IPv4 address with prefix/);
  t.regex(err.message, /board\.yaml:7: apps\[0\]\.port/);
  const typo = t.throws(() => parseRpdConfig(minimal.replace('  mac:', '  macc:'), 'b.yaml'));
  t.regex(typo.message, /b\.yaml/);
  t.regex(typo.message, /front/);
  const multicast = t.throws(() =>
    parseRpdConfig(minimal.replace('02:00:5e', '03:00:5e'), 'b.yaml'),
  );
  t.regex(multicast.message, /front\.mac: expected a unicast MAC/);
  t.throws(() => parseRpdConfig(minimal.replace('slot: 0', 'slot: 2')), { message: /slot/ });
});

test('JSON Schema for editors', (t) => {
  const schema = rpdConfigJsonSchema() as { properties: Record<string, unknown> };
  t.truthy(schema.properties.front);
  t.truthy(schema.properties.ha);
});
