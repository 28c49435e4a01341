import test from 'ava';
import { stallLimitFor } from './stall-limit.ts';

test('a pulled front cable adds four times its hold (outage, then TCP back-off) to the limit', (t) => {
  const limit = stallLimitFor({ kind: 'pull-front-cable-active', holdMs: 2000 }, 1000);
  t.is(limit.ms, 9000);
  t.regex(limit.why ?? '', /2000 ms outage/);
  t.is(stallLimitFor({ kind: 'pull-front-cable-active' }, 500).ms, 8500);
});

test('faults the standby must absorb keep the plan limit', (t) => {
  for (const kind of [
    'kill-active',
    'power-off-active',
    'pull-ipc-cable',
    'freeze-active',
  ] as const) {
    t.deepEqual(stallLimitFor({ kind, holdMs: 3000 }, 1000), { ms: 1000 });
  }
});
