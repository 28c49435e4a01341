import test from 'ava';
import { rpdConfigSchema } from '../../rpd/config.ts';
import { parseYamlConfig } from '../../schema/yaml-config.ts';
import { alarmTimeoutMs } from './alarm-timeout.ts';

const yaml = (extra: string): string =>
  [
    'slot: 0',
    'front: { tap: hl0, address: 198.18.2.1/24, mac: "02:00:5e:10:00:01" }',
    'ha:',
    '  ipc: { local: 198.18.1.1, mate: 198.18.1.2, port: 7400 }',
    '  lan: { local: 198.18.2.10, mate: 198.18.2.11 }',
    '  heartbeat: { interval_ms: 50, misses: 4 }',
    extra,
    'apps: []',
  ].join('\n');

test('the IPC alarm hold defaults to twice the detection time', (t) => {
  const cfg = parseYamlConfig(yaml(''), rpdConfigSchema, 'rpd.yaml');
  t.is(alarmTimeoutMs(cfg.ha!), 400);
});

test('ha.alarm_timeout_ms overrides it; nonsense is refused naming the key', (t) => {
  const cfg = parseYamlConfig(yaml('  alarm_timeout_ms: 250'), rpdConfigSchema, 'rpd.yaml');
  t.is(alarmTimeoutMs(cfg.ha!), 250);
  const err = t.throws(() =>
    parseYamlConfig(yaml('  alarm_timeout_ms: -1'), rpdConfigSchema, 'rpd.yaml'),
  );
  t.regex(err!.message, /alarm_timeout_ms/);
});
