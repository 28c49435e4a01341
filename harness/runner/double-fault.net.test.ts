/**
 * The double fault (IPC pulled, then the active's power cut) cannot be
 * hitless: the campaign must report it as expected-degraded, with what the
 * peers saw, and never count it as a pass.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { campaignLab, healedState, readResults, startRun, writePlan } from './testing.ts';

const lab = campaignLab({ prefix: 'hlc2', subnet: 232, bootMs: 1000 });
const { netTest, dir } = lab;

netTest('a double fault is reported as expected-degraded, never as a pass', async (t) => {
  const plan = writePlan(dir, 'double', {
    faults: {
      spacing_ms: 500,
      warmup_ms: 800,
      order: 'listed',
      schedule: [{ kind: 'double-fault', hold_ms: 300 }],
    },
  });
  const out = join(dir, 'run');
  const run = await startRun([plan, '--lab', lab.labFile(), '--out', out]).done;
  t.log(run.stderr.split('\n').slice(-3).join('\n'));
  const results = readResults(out);
  const it = results.iterations[0]!;
  t.is(it.kind, 'double-fault');
  t.is(it.expected, 'expected-degraded');
  t.is(it.status, 'expected-degraded', it.summary);
  t.is(results.statistics.totals.pass, 0, 'not counted as a pass');
  t.is(results.statistics.totals.expectedDegraded, 1);
  t.true(it.connections.length > 0, 'the peers connections are judged');
  const actions = results.timeline
    .filter((e) => e.iteration === 1)
    .map((e) => `${e.kind} ${e.detail}`);
  t.true(
    actions.some((a) => /^link .*cable=ipc state=down/.test(a)),
    'IPC pulled',
  );
  t.true(
    actions.some((a) => /^power .*action=off/.test(a)),
    'power cut',
  );
  t.regex(readFileSync(join(out, 'summary.md'), 'utf8'), /expected-degraded/);
  // Healed: power back on and the IPC cable plugged.
  const healed = await healedState(lab.labFile());
  t.true(healed.powered, 'every board powered');
  t.true(healed.plugged, 'every cable plugged');
  t.true(run.code === 0 || run.code === 1, `exit ${run.code}`);
});
