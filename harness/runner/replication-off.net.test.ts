/**
 * The harness catches a real drop: a campaign on a virtual chassis of its
 * own runs the daemons with replication off: the harness
 * must catch the drop (RST or reconnect in the captures, errors from the
 * agents) and exit 1.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { campaignLab, readResults, startRun, writePlan } from './testing.ts';

const lab = campaignLab({ prefix: 'hlc1', subnet: 231 });
const { netTest, dir } = lab;

netTest('replication off: the campaign catches the drop and exits 1', async (t) => {
  const plan = writePlan(dir, 'no-replication', {
    stack: { replication: false },
  });
  const out = join(dir, 'run-norepl');
  const run = await startRun([plan, '--lab', lab.labFile(), '--out', out]).done;
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
