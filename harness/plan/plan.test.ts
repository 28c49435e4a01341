import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import test from 'ava';
import { ConfigError, parseYamlConfig } from '../../stack/schema/yaml-config.ts';
import { expandSchedule, loadTestplan } from './load.ts';
import { testplanJsonSchema, testplanSchema } from './schema.ts';

const plans = join(import.meta.dirname, '../../testplans');

test('every shipped testplan loads', (t) => {
  const files = readdirSync(plans).filter((f) => f.endsWith('.yaml'));
  t.true(files.includes('smoke.yaml'));
  for (const f of files) {
    const plan = loadTestplan(join(plans, f));
    t.is(`${plan.name}.yaml`, f);
    t.truthy(plan.labFile?.endsWith('labs/virtual.yaml'));
  }
});

test('nightly expands to 100 faults, the same for the same seed', (t) => {
  const plan = loadTestplan(join(plans, 'nightly.yaml'));
  const a = expandSchedule(plan);
  t.is(a.length, 100);
  t.deepEqual(expandSchedule(plan), a);
  t.notDeepEqual(
    expandSchedule(plan, 2).map((f) => f.kind),
    a.map((f) => f.kind),
  );
  for (const f of a) t.true(f.spacingMs >= 3000 && f.spacingMs <= 8000);
  t.is(a.filter((f) => f.kind === 'kill-active').length, 20);
  t.is(expandSchedule(plan, 1, 3).length, 300);
});

test('unknown keys and bad values are named with their line', (t) => {
  const text = 'name: x\ntraffic: {}\nfaults:\n  schedule:\n    - kind: kill-activ\n';
  const err = t.throws(() => parseYamlConfig(text, testplanSchema, 'p.yaml'), {
    instanceOf: ConfigError,
  });
  t.regex(err?.message ?? '', /p\.yaml:5: faults\.schedule\[0\]\.kind/);
  const extra = t.throws(
    () =>
      parseYamlConfig(
        'name: x\ntraffic: {}\nfaults: {schedule: [{kind: kill-active}]}\nfautls: 1\n',
        testplanSchema,
        'q.yaml',
      ),
    { instanceOf: ConfigError },
  );
  t.regex(extra?.message ?? '', /fautls/);
});

test('the editors JSON Schema in testplans/ is current', (t) => {
  const onDisk = JSON.parse(readFileSync(join(plans, 'testplan.schema.json'), 'utf8'));
  t.deepEqual(onDisk, testplanJsonSchema());
});
