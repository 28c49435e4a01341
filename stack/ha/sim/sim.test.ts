import test from 'ava';
import { CRASH_KINDS, campaignCase, describeCase } from './cases.ts';
import { runSimulation } from './world.ts';

// Seeds 1..60: six per crash kind (campaignCase picks the kind from seed % 10), with and without
// IPC frames in flight, with and without loss on the front LAN.
const SEEDS = Array.from({ length: 60 }, (_, i) => i + 1);

for (const kind of CRASH_KINDS) {
  test(`crash after a ${kind} record: the peer sees no drop`, (t) => {
    let tookOver = 0;
    let carried = 0;
    for (const seed of SEEDS) {
      const opts = campaignCase(seed);
      if (opts.crash?.kind !== kind) continue;
      const r = runSimulation(opts);
      t.deepEqual(
        r.failures,
        [],
        `${describeCase(opts)} (rerun: npm run sim -- --from ${seed} --seeds 1 --verbose)`,
      );
      t.is(r.mismatches, 0, `${describeCase(opts)}: digest mismatches`);
      if (r.crashed && r.tookOverAt >= 0) tookOver++;
      carried += r.takenOver;
    }
    t.true(tookOver >= 3, `only ${tookOver} of 6 seeds reached the crash point`);
    t.true(carried > 0, 'no connection was carried over');
  });
}

test('without a crash the standby follows with no mismatch, and runs are deterministic', (t) => {
  const a = runSimulation({ seed: 4242, loss: 0.02 });
  const b = runSimulation({ seed: 4242, loss: 0.02 });
  t.deepEqual(a.failures, [], 'seed 4242');
  t.false(a.crashed);
  t.is(a.mismatches, 0);
  t.true(a.records > 1000);
  t.deepEqual(a, b);
});
