/**
 * Campaigns end to end on a virtual chassis of their own: `hitless run` as
 * users run it, then results.json, the reports and the artifacts checked.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import test from 'ava';
import { Results } from '../../reports/results-schema.ts';
import { vlabDown, vlabUp, writeVirtualLab } from '../vlab/index.ts';
import { netTestBlocker } from '../vlab/testing.ts';
import { startRun, writePlan } from './testing.ts';

const PREFIX = 'hlc0';
const blocked = netTestBlocker();
// Not root outside CI: skipped, and said so (netTestBlocker throws under CI).
const netTest = blocked ? test.skip : test.serial;
if (blocked) console.log(`${PREFIX}: skipped: ${blocked}`);
const dir = mkdtempSync(join(tmpdir(), 'hitless-campaign-'));
let labFile = '';

test.before(async () => {
  if (blocked) return;
  labFile = writeVirtualLab({ prefix: PREFIX, subnet: 230, dir });
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

netTest('a tiny campaign runs end to end: results, reports, captures, agent logs', async (t) => {
  const plan = writePlan(dir, 'tiny');
  const out = join(dir, 'run-tiny');
  const run = await startRun([plan, '--lab', labFile, '--out', out, '--json']).done;
  t.log(run.stderr.split('\n').slice(-4).join('\n'));
  const outcome = JSON.parse(run.stdout) as { verdict: string; exitCode: number };
  const results = readResults(out);
  t.is(run.code, outcome.exitCode);
  t.is(run.code, { pass: 0, fail: 1, error: 2 }[results.verdict]);
  t.is(results.iterations.length, 1);
  const it = results.iterations[0]!;
  t.is(it.kind, 'kill-active');
  t.is(results.run.error, undefined, 'the run completed');
  // The device may fail or be inconclusive; the fault itself must have been carried out.
  t.true(
    it.status !== 'error' || ['RUN_INCONCLUSIVE', 'RUN_NO_TRAFFIC'].includes(it.error?.code ?? ''),
    it.summary,
  );
  t.truthy(it.times.inject !== undefined && it.times.resyncDone !== undefined);
  t.is(results.connections.length, 4, 'two peers × two connections');
  for (const f of ['junit.xml', 'summary.md', 'timeline.json', 'testplan.yaml', 'lab.yaml']) {
    t.true(existsSync(join(out, f)), f);
  }
  const pcaps = results.artifacts.filter((a) => a.kind === 'pcap');
  t.is(pcaps.length, 2);
  for (const p of pcaps) t.true((p.bytes ?? 0) > 24, `${p.path} holds packets`);
  const agentLog = readFileSync(join(out, 'artifacts/agent-peer1.jsonl'), 'utf8');
  t.regex(agentLog, /"event":"summary"/, 'the agent stopped cleanly and summed up');
  const kinds = new Set(results.timeline.map((e) => e.kind));
  for (const k of ['fault.inject', 'signal', 'fault.healed', 'agent.start', 'capture.fetched'])
    t.true(kinds.has(k), k);
  if (results.verdict === 'fail') {
    // A failing chassis must come with evidence.
    t.true(it.connections.some((c) => c.evidence.length > 0));
  }
});
