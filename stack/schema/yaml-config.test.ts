import test from 'ava';
import { z } from 'zod';
import { ConfigError, parseYamlConfig } from './yaml-config.ts';

const schema = z
  .object({
    slot: z.number().int().min(0).max(1),
    apps: z.array(z.object({ kind: z.enum(['echo', 'stream']), port: z.number() }).strict()),
  })
  .strict();

test('valid YAML passes through typed', (t) => {
  const cfg = parseYamlConfig('slot: 1\napps:\n  - { kind: echo, port: 7 }\n', schema, 'a.yaml');
  t.deepEqual(cfg, { slot: 1, apps: [{ kind: 'echo', port: 7 }] });
});

test('a bad value is reported with file, line and key', (t) => {
  const text = 'slot: 0\napps:\n  - kind: echo\n    port: 7\n  - kind: bogus\n    port: 9\n';
  const err = t.throws(() => parseYamlConfig(text, schema, 'rp.yaml'), {
    instanceOf: ConfigError,
  });
  t.is(err?.problems[0]?.key, 'apps[1].kind');
  t.is(err?.problems[0]?.line, 5);
  t.regex(err?.message ?? '', /^rp\.yaml:5: apps\[1\]\.kind: /);
});

test('unknown keys and syntax errors are named', (t) => {
  const unknown = t.throws(() => parseYamlConfig('slot: 0\napps: []\nsolt: 1\n', schema, 'x'), {
    instanceOf: ConfigError,
  });
  t.regex(unknown?.message ?? '', /solt/);
  const syntax = t.throws(() => parseYamlConfig('slot: [\n', schema, 'y.yaml'), {
    instanceOf: ConfigError,
  });
  t.regex(syntax?.message ?? '', /y\.yaml.*YAML syntax/);
});
