/**
 * JUnit XML for CI servers: one testsuite per testplan, one testcase per fault
 * iteration (classname = fault kind). Failures of the device under test are
 * `failure` with the evidence, infrastructure errors `error`, faults that did
 * not apply `skipped`; artifacts are `[[ATTACHMENT|path]]` lines in system-out
 * (the Jenkins attachments plugin and GitLab read them).
 */
import { posix } from 'node:path';
import { clock, shortSha } from './format.ts';
import { type Iteration, type Results, TIME_KEYS } from './results-schema.ts';
import { attrs, xmlText } from './xml.ts';

export interface JunitOptions {
  /** Prefix for attachment paths (artifact paths are relative to the run directory). */
  attachmentPrefix?: string;
}

function seconds(msValue: number): string {
  return (Math.max(0, msValue) / 1000).toFixed(3);
}

/** From inject to the last recorded moment of the iteration. */
function iterationMs(it: Iteration): number {
  const t = Object.values(it.times).filter((v): v is number => v !== undefined);
  return t.length < 2 ? 0 : Math.max(...t) - Math.min(...t);
}

export function testcaseName(it: Iteration): string {
  const n = String(it.index).padStart(2, '0');
  return `#${n} ${it.kind}${it.expected === 'expected-degraded' ? ' (expected-degraded)' : ''}`;
}

function evidenceText(results: Results, it: Iteration): string {
  const lines: string[] = [];
  for (const c of it.connections) {
    if (c.verdict === 'ok') continue;
    const conn = results.connections.find((x) => x.id === c.connection);
    const where = conn ? ` (${conn.local} → ${conn.remote})` : '';
    lines.push(`${c.connection}${where}: ${c.verdict}`);
    for (const e of c.evidence) {
      const frame =
        e.frame === undefined ? '' : ` frame ${e.frame}${e.pcap ? ` in ${e.pcap}` : ''}`;
      lines.push(`  [${clock(e.time)}] ${e.kind}${frame}: ${e.detail}`);
    }
  }
  return lines.join('\n');
}

function failingVerdicts(it: Iteration): string {
  const kinds = [...new Set(it.connections.map((c) => c.verdict).filter((v) => v !== 'ok'))];
  return kinds.join(',') || 'check';
}

function testcase(results: Results, it: Iteration, prefix: string): string {
  const head = `    <testcase${attrs({ name: testcaseName(it), classname: it.kind, time: seconds(iterationMs(it)) })}`;
  const body: string[] = [];
  if (it.status === 'fail') {
    body.push(
      `      <failure${attrs({ message: it.summary, type: failingVerdicts(it) })}>${xmlText(evidenceText(results, it))}</failure>`,
    );
  } else if (it.status === 'error') {
    const err = it.error ?? { code: 'ERROR', message: it.summary };
    body.push(
      `      <error${attrs({ message: err.message, type: err.code })}>${xmlText(`${err.code}: ${err.message}`)}</error>`,
    );
  } else if (it.status === 'skipped') {
    body.push(`      <skipped${attrs({ message: it.summary })}/>`);
  }
  const out: string[] = [];
  if (it.status === 'expected-degraded') {
    out.push(`EXPECTED-DEGRADED: ${it.summary}`, evidenceText(results, it));
  } else if (it.summary) {
    out.push(it.summary);
  }
  const times = TIME_KEYS.filter((k) => it.times[k] !== undefined).map(
    (k) => `${k} ${clock(it.times[k])}`,
  );
  if (times.length) out.push(`times: ${times.join(', ')}`);
  for (const a of it.artifacts) out.push(`[[ATTACHMENT|${posix.join(prefix, a.path)}]]`);
  body.push(`      <system-out>${xmlText(out.filter(Boolean).join('\n'))}</system-out>`);
  return `${head}>\n${body.join('\n')}\n    </testcase>`;
}

function runErrorCase(results: Results): string | null {
  const err = results.run.error;
  if (!err) return null;
  return [
    `    <testcase${attrs({ name: 'campaign', classname: 'harness', time: '0.000' })}>`,
    `      <error${attrs({ message: err.message, type: err.code })}>${xmlText(`${err.code}: ${err.message}`)}</error>`,
    '    </testcase>',
  ].join('\n');
}

export function renderJunit(results: Results, opts: JunitOptions = {}): string {
  const prefix = opts.attachmentPrefix ?? '';
  const { run, statistics } = results;
  const t = statistics.totals;
  const errors = t.error + (run.error ? 1 : 0);
  const tests = t.iterations + (run.error ? 1 : 0);
  const time = seconds(Date.parse(run.endedAt) - Date.parse(run.startedAt));
  const counts = { tests, failures: t.fail, errors, skipped: t.skipped, time };
  const properties: Array<[string, string]> = [
    ['run.id', run.id],
    ['verdict', results.verdict],
    ['seed', String(run.seed)],
    ['sha', run.stack.gitSha],
    ['stack.version', run.stack.version],
    ['lab', run.lab.name],
    ['lab.kind', run.lab.kind],
    ['testplan', run.testplan.file ?? run.testplan.name],
    ['expected-degraded', String(t.expectedDegraded)],
    ...run.boards.map((b): [string, string] => [
      `board.${b.name}`,
      [`slot ${b.slot}`, b.model, b.serial && `serial ${b.serial}`].filter(Boolean).join(', '),
    ]),
  ];
  const runOut = [
    `${run.testplan.name} on ${run.lab.name}, stack ${run.stack.version} (${shortSha(run.stack.gitSha)}), seed ${run.seed}: ${results.verdict}`,
    ...results.artifacts.map((a) => `[[ATTACHMENT|${posix.join(prefix, a.path)}]]`),
  ].join('\n');
  const cases = [
    runErrorCase(results),
    ...results.iterations.map((it) => testcase(results, it, prefix)),
  ];
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites${attrs({ name: `hitless ${run.testplan.name}`, ...counts })}>`,
    `  <testsuite${attrs({ name: run.testplan.name, ...counts, timestamp: new Date(run.startedAt).toISOString().slice(0, 19), hostname: run.lab.name, id: 0, package: 'hitless' })}>`,
    '    <properties>',
    ...properties.map(([name, value]) => `      <property${attrs({ name, value })}/>`),
    '    </properties>',
    ...cases.filter((c): c is string => c !== null),
    `    <system-out>${xmlText(runOut)}</system-out>`,
    '  </testsuite>',
    '</testsuites>',
    '',
  ].join('\n');
}
