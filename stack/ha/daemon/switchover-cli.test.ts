/**
 * `hitless rpd switchover`: the control command and the client that waits for the mate to take
 * over, on two HA daemons in one process; and a clear refusal when the standby is not there.
 */
import { execFile } from 'node:child_process';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import test from 'ava';
import { RpdError } from '../../rpd/errors.ts';
import { switchoverAndWait } from '../../rpd/switchover-client.ts';
import { chassis, waitFor } from './memory-chassis.fixture.ts';

test.serial(
  'switchover on the active, then on the new standby: roles flip each time',
  async (t) => {
    const { a, b, boards } = await chassis(t);
    const r1 = await switchoverAndWait(boards[0]!.status.path, { timeoutMs: 10_000 });
    t.like(r1, { from: 'active', to: 'standby' });
    t.is(b.ha.node.role, 'active');
    t.is(a.ha.node.role, 'standby');
    t.true(r1.epoch > 1);
    await waitFor(() => a.ha.status().sync === 'hot', 'old active hot as standby');
    // asked on the standby, through the CLI: it takes the chassis back, exit 0
    const file = join(dirname(boards[0]!.config.run_dir!), 'rp0.yaml');
    const { stdout } = await promisify(execFile)('./harness/cli/hitless.mjs', [
      'rpd',
      'switchover',
      '--config',
      file,
      '--json',
    ]);
    const r2 = JSON.parse(stdout) as { from: string; to: string; epoch: number };
    t.like(r2, { from: 'standby', to: 'active' });
    t.is(a.ha.node.role, 'active');
    t.true(r2.epoch > r1.epoch);
  },
);

test.serial('switchover with the standby not hot: refused with the reason', async (t) => {
  const { a, boards, ipc } = await chassis(t);
  ipc.ports[0].cut = true;
  ipc.ports[1].cut = true;
  await waitFor(() => !a.ha.node.ipcUp || a.ha.node.sync !== 'hot', 'IPC loss seen');
  const err = await t.throwsAsync(switchoverAndWait(boards[0]!.status.path, { timeoutMs: 3000 }));
  t.true(err instanceof RpdError);
  t.is((err as RpdError).code, 'RPD_SWITCHOVER_FAILED');
  t.regex(err!.message, /IPC link to the mate is down|not hot/);
  t.is(a.ha.node.role, 'active');
});

test('the CLI: a clear error and exit 2 when no daemon runs', async (t) => {
  const run = promisify(execFile);
  const err = await t.throwsAsync(
    run('./harness/cli/hitless.mjs', [
      'rpd',
      'switchover',
      '--config',
      'stack/ha/daemon/no-such.yaml',
    ]),
  );
  t.is((err as { code?: number }).code, 2);
  t.regex(String((err as { stderr?: string }).stderr), /no-such\.yaml/);
});
