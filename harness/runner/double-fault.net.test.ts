/**
 * The double fault (IPC pulled, then the active's power cut) cannot be
 * hitless: the campaign must report it as expected-degraded, with what the
 * peers saw, and never count it as a pass.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import test from 'ava';
import { Results } from '../../reports/results-schema.ts';
import { vlabDown, vlabStatus, vlabUp, writeVirtualLab } from '../vlab/index.ts';
import { netTestBlocker } from '../vlab/testing.ts';
import { startRun, writePlan } from './testing.ts';

const PREFIX = 'hlc2';
const blocked = netTestBlocker();
// Not root outside CI: skipped, and said so (netTestBlocker throws under CI).
const netTest = blocked ? test.skip : test.serial;
if (blocked) console.log(`${PREFIX}: skipped: ${blocked}`);
const dir = mkdtempSync(join(tmpdir(), 'hitless-double-'));
let labFile = '';

test.before(async () => {
  if (blocked) return;
  labFile = writeVirtualLab({ prefix: PREFIX, subnet: 232, dir, bootMs: 1000 });
  await vlabDown(labFile);
  await vlabUp(labFile);
});

test.after.always(async () => {
  if (!blocked && labFile) await vlabDown(labFile);
  rmSync(dir, { recursive: true, force: true });
});

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
  const run = await startRun([plan, '--lab', labFile, '--out', out]).done;
  t.log(run.stderr.split('\n').slice(-3).join('\n'));
  const results = Results.parse(JSON.parse(readFileSync(join(out, 'results.json'), 'utf8')));
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
  const status = await vlabStatus(labFile);
  t.true(
    status.outlets.filter((o) => o.powers).every((o) => o.on),
    'every board powered',
  );
  t.true(
    status.ports.every((p) => p.admin === 'up'),
    'every cable plugged',
  );
  t.true(run.code === 0 || run.code === 1, `exit ${run.code}`);
});
