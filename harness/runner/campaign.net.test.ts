/**
 * Campaigns end to end on a virtual chassis of their own: `hitless run` as
 * users run it, then results.json, the reports and the artifacts checked.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { campaignLab, readResults, startRun, writePlan } from './testing.ts';

const lab = campaignLab({ prefix: 'hlc0', subnet: 230 });
const { netTest, dir } = lab;

netTest('a tiny campaign runs end to end: results, reports, captures, agent logs', async (t) => {
  const plan = writePlan(dir, 'tiny');
  const out = join(dir, 'run-tiny');
  const run = await startRun([plan, '--lab', lab.labFile(), '--out', out, '--json']).done;
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
  for (const k of [
    'fault.inject',
    'signal',
    'fault.healed',
    'agent.start',
    'capture.fetched',
    'console',
  ])
    t.true(kinds.has(k), k);
  if (results.verdict === 'fail') {
    // A failing chassis must come with evidence.
    t.true(it.connections.some((c) => c.evidence.length > 0));
  }
});
