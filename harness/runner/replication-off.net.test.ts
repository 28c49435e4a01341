/**
 * The harness catches a real drop: a campaign on a virtual chassis of its
 * own runs the daemons with replication off: the harness
 * must catch the drop (RST or reconnect in the captures, errors from the
 * agents) and exit 1.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import test from 'ava';
import { Results } from '../../reports/results-schema.ts';
import { vlabDown, vlabUp, writeVirtualLab } from '../vlab/index.ts';
import { netTestBlocker } from '../vlab/testing.ts';
import { startRun, writePlan } from './testing.ts';

const PREFIX = 'hlc1';
const blocked = netTestBlocker();
// Not root outside CI: skipped, and said so (netTestBlocker throws under CI).
const netTest = blocked ? test.skip : test.serial;
if (blocked) console.log(`${PREFIX}: skipped: ${blocked}`);
const dir = mkdtempSync(join(tmpdir(), 'hitless-norepl-'));
let labFile = '';

test.before(async () => {
  if (blocked) return;
  labFile = writeVirtualLab({ prefix: PREFIX, subnet: 231, dir });
  await vlabDown(labFile);
  await vlabUp(labFile);
});

test.after.always(async () => {
  if (!blocked && labFile) await vlabDown(labFile);
  rmSync(dir, { recursive: true, force: true });
});

function readResults(out: string): Results {
  return Results.parse(JSON.parse(readFileSync(join(out, 'results.json'), 'utf8')));
}

netTest('replication off: the campaign catches the drop and exits 1', async (t) => {
  const plan = writePlan(dir, 'no-replication', {
    stack: { replication: false },
  });
  const out = join(dir, 'run-norepl');
  const run = await startRun([plan, '--lab', labFile, '--out', out]).done;
  t.log(run.stderr.split('\n').slice(-3).join('\n'));
  t.is(run.code, 1, 'exit 1: a failure of the device under test');
  const results = readResults(out);
  t.is(results.verdict, 'fail');
  const it = results.iterations[0]!;
  t.is(it.status, 'fail');
  const evidence = it.connections.flatMap((c) => c.evidence);
  const fromCapture = evidence.filter((e) => e.kind === 'rst' || e.kind === 'reconnect');
  t.true(fromCapture.length > 0, 'RST or reconnect seen in the captures');
  t.true(
    fromCapture.every((e) => e.pcap !== undefined && e.frame !== undefined),
    'each with its pcap and frame',
  );
  t.true(
    evidence.some((e) => e.kind === 'agent-error'),
    'errors from the agents',
  );
  t.true(it.connections.some((c) => c.verdict === 'drop' || c.verdict === 'corrupt'));
  const junit = readFileSync(join(out, 'junit.xml'), 'utf8');
  t.regex(junit, /<failure/);
});
