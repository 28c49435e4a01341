/**
 * A run's set-up: the lab up (virtual) and leased, every board and host
 * checked, consoles recorded, the stack deployed and started, a hot
 * standby. Each step that leaves something behind registers its undoing
 * on the clean-up stack before the next step starts.
 */
import { join } from 'node:path';
import { Lease } from '../../drivers/lease/lease.ts';
import { leaseFile } from '../lab-drivers/from-lab.ts';
import { LabChassis } from './chassis.ts';
import { openConsoles } from './consoles.ts';
import { mergeDaemonLog } from './daemon-log.ts';
import { checkLab, deployStack, ensureVirtualLab } from './deploy.ts';
import { messageOf, RunnerError } from './errors.ts';
import type { RunState } from './run-state.ts';
import { elapsedSince, healChassis } from './schedule.ts';

export async function setUpChassis(r: RunState, keepLab: boolean): Promise<LabChassis> {
  const { lab, timeline, cleanup, access } = r;
  // Ctrl-C aborts r.signal; the steps that cannot be cut short are followed by a checkpoint.
  const checkpoint = () => {
    if (r.signal.aborted) throw new RunnerError('RUN_INTERRUPTED', 'interrupted');
  };
  if (lab.kind === 'virtual') {
    const down = await ensureVirtualLab(lab, timeline);
    if (down && !keepLab) cleanup.add('virtual lab down', down);
    checkpoint();
  }
  // One run at a time per lab. (A virtual lab's lease lives in its state
  // directory, which bringing the lab up recreates: take it after that.)
  const lease = Lease.acquire({
    file: leaseFile(lab),
    lab: lab.name,
    ttlMs: 30_000,
    onLost: (by) => timeline.add('harness', 'lease.lost', { by: by?.owner ?? null }),
  });
  timeline.add('harness', 'lease.acquired', { owner: lease.info.owner });
  cleanup.add('release the lab lease', async () => lease.release());
  await checkLab(access, timeline, r.signal);
  const consoles = await openConsoles(lab, r.artifactsDir, timeline, {
    login: lab.kind === 'real',
  });
  r.consoleLogs.push(...consoles.logs);
  cleanup.add('close the consoles', () => consoles.close());
  checkpoint();
  // Runs after the daemons are stopped, while the lab is still there.
  cleanup.add('fetch the daemon logs', () => fetchDaemonLogs(r));
  const deployed = await deployStack(
    access,
    r.plan,
    timeline,
    (list) => {
      cleanup.add('stop the daemons', async () => {
        for (const d of list) await d.stop().catch(() => undefined);
        timeline.add('harness', 'daemons.stopped', {});
      });
    },
    r.signal,
  );
  const ch = new LabChassis(access, deployed.daemons, timeline, { signal: r.signal });
  cleanup.add('heal the chassis', () => healChassis(ch, access.lab, timeline));
  r.print(`[${elapsedSince(r.startedAt)}] stack deployed; waiting for a hot standby`);
  await ch.waitHot(r.plan.settle.standby_hot_timeout_ms);
  return ch;
}

async function fetchDaemonLogs(r: RunState): Promise<void> {
  for (const board of r.lab.boards) {
    const local = join(r.artifactsDir, `${board.name}-daemon.log`);
    try {
      await r.access.host(board.name).fetch('/var/log/rpd.log', local, 30_000);
      r.daemonLogs.push(local);
      mergeDaemonLog(local, board.name, r.timeline, { from: r.startedAt, to: Date.now() });
    } catch (err) {
      r.timeline.add('harness', 'artifact.lost', {
        board: board.name,
        file: '/var/log/rpd.log',
        message: messageOf(err),
      });
    }
  }
}
