import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import test from 'ava';
import { makeSampleResults } from './fixtures/sample-results.ts';
import { renderJunit } from './junit.ts';
import type { Results } from './results-schema.ts';

const XSD = join(dirname(fileURLToPath(import.meta.url)), 'junit.xsd');
const hasXmllint = spawnSync('xmllint', ['--version']).status === 0;

/** Writes the XML and validates it against junit.xsd; returns the file. */
function validate(t: import('ava').ExecutionContext, xml: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'hlrep-junit-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const file = join(dir, 'junit.xml');
  writeFileSync(file, xml);
  const res = spawnSync('xmllint', ['--noout', '--schema', XSD, file], { encoding: 'utf8' });
  t.is(res.status, 0, res.stderr);
  t.regex(res.stderr, /validates/);
  return file;
}

function xpath(file: string, expr: string): string {
  return execFileSync('xmllint', ['--xpath', expr, file], { encoding: 'utf8' }).replace(/\n$/, '');
}

test.before(() => {
  if (!hasXmllint) throw new Error('xmllint is missing: apt-get install libxml2-utils');
});

test('the JUnit file validates and carries failures, errors, skips and attachments', (t) => {
  const r = makeSampleResults();
  const file = validate(t, renderJunit(r, { attachmentPrefix: 'reports/runs/x' }));
  t.is(xpath(file, 'count(//testsuite)'), '1');
  t.is(xpath(file, 'string(//testsuite/@name)'), 'qualification');
  t.is(xpath(file, 'count(//testcase)'), String(r.iterations.length));
  t.is(xpath(file, 'string(//testsuite/@failures)'), '1');
  t.is(xpath(file, 'string(//testsuite/@errors)'), '1');
  t.is(xpath(file, 'string(//testsuite/@skipped)'), '1');
  t.is(xpath(file, 'count(//testcase/failure)'), '1');
  t.is(xpath(file, 'string(//testcase[failure]/@classname)'), 'pull-front-cable-active');
  const failure = xpath(file, 'string(//failure)');
  t.regex(failure, /peer2-c1 \(198\.18\.1\.12:40001 → 198\.18\.0\.1:7000\): drop/);
  t.regex(failure, /rst frame 48213 in iter-06\/peer2\.pcap: RST from chassis/);
  t.is(xpath(file, 'string(//testcase[error]/error/@type)'), 'SNMP_TIMEOUT');
  t.is(xpath(file, 'string(//testcase[skipped]/@classname)'), 'kill-standby-during-bulk-sync');
  t.is(xpath(file, 'string(//property[@name="seed"]/@value)'), String(r.run.seed));
  t.is(xpath(file, 'string(//property[@name="sha"]/@value)'), r.run.stack.gitSha);
  t.is(xpath(file, 'string(//property[@name="lab"]/@value)'), 'bench-a');
  const out = xpath(file, 'string(//testcase[failure]/system-out)');
  t.true(out.includes('[[ATTACHMENT|reports/runs/x/iter-06/peer2.pcap]]'));
  t.true(out.includes('[[ATTACHMENT|reports/runs/x/iter-06/agents.jsonl]]'));
  const degraded = xpath(file, 'string(//testcase[@classname="double-fault"]/system-out)');
  t.regex(degraded, /^EXPECTED-DEGRADED: /);
  t.is(
    xpath(
      file,
      'count(//testcase[@classname="double-fault"]/*[self::failure or self::error or self::skipped])',
    ),
    '0',
  );
});

test('hostile text is escaped: markup, quotes, CDATA ends and control characters', (t) => {
  const r: Results = JSON.parse(JSON.stringify(makeSampleResults({ faults: 6 })));
  const evil = 'a <b> & "c" \'d\' ]]> \u0001\u001b[31m end';
  const failed = r.iterations.find((it) => it.status === 'fail')!;
  failed.summary = evil;
  failed.connections.find((c) => c.verdict === 'drop')!.evidence[0]!.detail = evil;
  r.run.testplan.name = 'plan <&>';
  const file = validate(t, renderJunit(r));
  const visible = 'a <b> & "c" \'d\' ]]> \\u0001\\u001b[31m end';
  t.is(xpath(file, 'string(//failure/@message)'), visible);
  t.true(xpath(file, 'string(//failure)').includes(visible));
  t.is(xpath(file, 'string(//testsuite/@name)'), 'plan <&>');
});

test('a run that aborted reports the abort as an error testcase', (t) => {
  const r: Results = JSON.parse(JSON.stringify(makeSampleResults({ faults: 2 })));
  r.run.error = { code: 'LAB_UNREACHABLE', message: 'rp1 console: no login prompt within 120 s' };
  const file = validate(t, renderJunit(r));
  t.is(xpath(file, 'string(//testcase[@classname="harness"]/error/@type)'), 'LAB_UNREACHABLE');
  t.is(xpath(file, 'string(//testsuite/@errors)'), '1');
  t.is(xpath(file, 'string(//testsuite/@tests)'), '3');
});
