import test from 'ava';
import { parseRpdConfig } from '../../rpd/config.ts';
import { hangTimeoutMs } from './hang-timeout.ts';

const config = (heartbeat: string) =>
  parseRpdConfig(
    [
      'slot: 0',
      'front: { tap: hl0, address: 198.18.2.1/24, mac: "02:00:5e:10:00:01" }',
      'ha:',
      '  ipc: { local: 198.18.1.1, mate: 198.18.1.2, port: 7400 }',
      '  lan: { local: 198.18.2.10, mate: 198.18.2.11 }',
      `  heartbeat: ${heartbeat}`,
      'apps: []',
      '',
    ].join('\n'),
    'rp0.yaml',
  ).ha!;

test('ha.heartbeat.hang_ms: given, or 500 ms, or 3 intervals when those are longer', (t) => {
  t.is(hangTimeoutMs(config('{ interval_ms: 10, misses: 3, hang_ms: 250 }')), 250);
  t.is(hangTimeoutMs(config('{ interval_ms: 10, misses: 3 }')), 500);
  t.is(hangTimeoutMs(config('{ interval_ms: 1000, misses: 3 }')), 3000);
});

test('hang_ms shorter than two intervals is refused, naming the key', (t) => {
  const err = t.throws(() => config('{ interval_ms: 100, misses: 3, hang_ms: 150 }'));
  t.regex(
    err.message,
    /rp0\.yaml:6: ha\.heartbeat\.hang_ms: hang_ms must be at least 2 × interval_ms/,
  );
});
