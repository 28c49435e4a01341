/**
 * A run's main part, once the standby is hot: captures and agents started
 * (each registering its stop), every connection up, the warm-up, then the
 * fault schedule with the board monitor running beside it.
 */
import { startCaptures, stopCaptures } from './captures.ts';
import { abortableSleep, type LabChassis } from './chassis.ts';
import { chassisAddress } from './daemon-config.ts';
import { remoteHitless } from './deploy.ts';
import type { RunState } from './run-state.ts';
import { elapsedSince, runSchedule, startMonitor } from './schedule.ts';
import { startAgents, stopAgents, waitAgentsConnected } from './traffic.ts';

export async function runTrafficAndSchedule(r: RunState, ch: LabChassis): Promise<void> {
  const { plan, lab, access, timeline, cleanup, signal } = r;
  const chassisIp = chassisAddress(lab).address;
  const peers = access.peers(plan.traffic.peers);
  await startCaptures(access, lab.captures, chassisIp, timeline, (started) => {
    r.captures = started;
    cleanup.add('stop the captures', async () => {
      r.pcaps = await stopCaptures(r.captures, r.artifactsDir, timeline);
      r.captures = [];
    });
  });
  r.trafficStart = Date.now();
  r.agents = startAgents(
    access,
    peers,
    {
      hitless: remoteHitless(plan.stack.deploy, lab),
      target: chassisIp,
      connections: plan.traffic.connections_per_peer,
      apps: plan.traffic.apps,
      rateKbps: plan.traffic.rate_kbps,
      direction: plan.traffic.direction,
      stallMs: Math.min(200, plan.checks.max_stall_ms),
      seed: r.seed,
    },
    timeline,
    r.artifactsDir,
  );
  cleanup.add('stop the agents', async () => {
    await stopAgents(r.agents, timeline);
    r.trafficEnd ??= Date.now();
  });
  await waitAgentsConnected(r.agents, plan.traffic.connections_per_peer, 20_000, signal);
  r.print(
    `[${elapsedSince(r.startedAt)}] ${peers.length} peers × ${plan.traffic.connections_per_peer} connections up; warm-up ${plan.faults.warmup_ms} ms`,
  );
  await abortableSleep(plan.faults.warmup_ms, signal);

  const monitor = startMonitor(ch, signal);
  try {
    await runSchedule({
      plan,
      schedule: r.schedule,
      chassis: ch,
      timeline,
      records: r.records,
      print: r.print,
      startedAt: r.startedAt,
      trafficStart: r.trafficStart,
      signal,
      peerErrors: () =>
        r.agents.reduce((n, a) => n + a.events.filter((e) => e.event === 'error').length, 0),
      longStalls: () =>
        r.agents.reduce(
          (n, a) =>
            n +
            a.events.filter((e) => e.event === 'stall' && e.ms > plan.checks.max_stall_ms).length,
          0,
        ),
    });
    // Let the last recovery show in the captures before traffic stops.
    await abortableSleep(Math.min(3000, plan.checks.max_stall_ms + 1000), signal);
  } finally {
    await monitor.stop();
  }
}
