/**
 * Ctrl-C in the middle of a fault: SIGINT reaches `hitless run` while the
 * active board's power is cut; the run must heal on its way out (power on,
 * cables up), stop every process it started (agents, captures, daemons) and
 * exit 2, leaving the results of what it did.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadLab } from '../lab/load.ts';
import { leaseFile } from '../lab-drivers/from-lab.ts';
import { vlabDown, vlabStatus } from '../vlab/index.ts';
import { sshRun } from '../vlab/testing.ts';
import { campaignLab, healedState, startRun, writePlan } from './testing.ts';

const lab = campaignLab({ prefix: 'hlc3', subnet: 233, bootMs: 1000 });
const { netTest, dir } = lab;

async function until<T>(what: string, ms: number, probe: () => T | undefined): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = probe();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

netTest('Ctrl-C during a power cut leaves power on, cables up, no stray processes', async (t) => {
  const up = lab.up();
  const plan = writePlan(dir, 'interrupt', {
    faults: {
      spacing_ms: 500,
      warmup_ms: 500,
      order: 'listed',
      schedule: [{ kind: 'double-fault', hold_ms: 200 }, { kind: 'kill-active' }],
    },
  });
  const out = join(dir, 'run');
  const run = startRun([plan, '--lab', lab.labFile(), '--out', out]);
  const stream = join(out, 'timeline.jsonl');
  // The fault is under way once the power cut is on the timeline.
  await until('the power cut', 40_000, () =>
    existsSync(stream) &&
    /"kind":"power","detail":\{"board":"rp\d","action":"off"/.test(readFileSync(stream, 'utf8'))
      ? true
      : undefined,
  );
  run.child.kill('SIGINT');
  const done = await run.done;
  t.log(done.stderr.split('\n').slice(-5).join('\n'));
  t.is(done.code, 2, 'an interrupted run is incomplete: exit 2');
  const healed = await healedState(lab.labFile());
  t.true(healed.powered, 'every board powered again');
  t.true(healed.plugged, 'every cable plugged again');
  for (const host of up.hosts) {
    const r = await sshRun(
      up,
      host,
      "ps -eo pid,stat,args | grep -E 'hitless.mjs (agent|rpd)|tcpdump|defunct' | grep -v grep || true",
    );
    t.is(r.stdout.trim(), '', `nothing of the run left on ${host.name}`);
  }
  const results = JSON.parse(readFileSync(join(out, 'results.json'), 'utf8')) as {
    run: { error?: { code: string } };
  };
  t.is(results.run.error?.code, 'RUN_INTERRUPTED');
  t.false(existsSync(leaseFile(loadLab(lab.labFile()))), 'the lease released');
});

netTest(
  'Ctrl-C while the run brings the lab up: it stops there and takes the lab down again',
  async (t) => {
    await vlabDown(lab.labFile());
    const plan = writePlan(dir, 'interrupt-bring-up');
    const out = join(dir, 'run-bring-up');
    const run = startRun([plan, '--lab', lab.labFile(), '--out', out]);
    const stream = join(out, 'timeline.jsonl');
    const text = () => (existsSync(stream) ? readFileSync(stream, 'utf8') : '');
    await until('the run start', 20_000, () =>
      /"kind":"run.start"/.test(text()) ? true : undefined,
    );
    run.child.kill('SIGINT');
    const done = await run.done;
    t.log(done.stderr.split('\n').slice(-4).join('\n'));
    t.is(done.code, 2, 'exit 2');
    const kinds = text()
      .trim()
      .split('\n')
      .map((l) => (JSON.parse(l) as { kind: string }).kind);
    t.true(kinds.includes('run.error'), kinds.join(' '));
    for (const k of ['lease.acquired', 'deploy.config', 'daemon.start', 'agent.start'])
      t.false(kinds.includes(k), `stopped before ${k}`);
    t.false((await vlabStatus(lab.labFile())).up, 'the lab it brought up is down again');
    const results = JSON.parse(readFileSync(join(out, 'results.json'), 'utf8')) as {
      run: { error?: { code: string } };
    };
    t.is(results.run.error?.code, 'RUN_INTERRUPTED');
  },
);
