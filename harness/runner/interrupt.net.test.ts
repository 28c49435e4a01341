/**
 * Ctrl-C in the middle of a fault: SIGINT reaches `hitless run` while the
 * active board's power is cut; the run must heal on its way out (power on,
 * cables up), stop every process it started (agents, captures, daemons) and
 * exit 2, leaving the results of what it did.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import test from 'ava';
import { vlabDown, vlabStatus, vlabUp, writeVirtualLab } from '../vlab/index.ts';
import { netTestBlocker, sshRun } from '../vlab/testing.ts';
import { startRun, writePlan } from './testing.ts';

const PREFIX = 'hlc3';
const blocked = netTestBlocker();
// Not root outside CI: skipped, and said so (netTestBlocker throws under CI).
const netTest = blocked ? test.skip : test.serial;
if (blocked) console.log(`${PREFIX}: skipped: ${blocked}`);
const dir = mkdtempSync(join(tmpdir(), 'hitless-interrupt-'));
let labFile = '';

test.after.always(async () => {
  if (!blocked && labFile) await vlabDown(labFile);
  rmSync(dir, { recursive: true, force: true });
});

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
  labFile = writeVirtualLab({ prefix: PREFIX, subnet: 233, dir, bootMs: 1000 });
  await vlabDown(labFile);
  const up = await vlabUp(labFile);
  const plan = writePlan(dir, 'interrupt', {
    faults: {
      spacing_ms: 500,
      warmup_ms: 500,
      order: 'listed',
      schedule: [{ kind: 'double-fault', hold_ms: 200 }, { kind: 'kill-active' }],
    },
  });
  const out = join(dir, 'run');
  const run = startRun([plan, '--lab', labFile, '--out', out]);
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
  const status = await vlabStatus(labFile);
  t.true(
    status.outlets.filter((o) => o.powers).every((o) => o.on),
    'every board powered again',
  );
  t.true(
    status.ports.every((p) => p.admin === 'up'),
    'every cable plugged again',
  );
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
});
