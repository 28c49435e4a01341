/**
 * A power cut of the active board: its links go first (the LAN switch port loses carrier, the
 * IPC cable goes dark, so no FIN or RST tells the standby anything), then its processes. The
 * LAN switch forgets where the chassis MAC was and floods the peers' frames, so the standby
 * overhears what they send while it is still counting the silence, and feeds that in at
 * takeover. The kernel peer sees no error.
 */
import { agentErrors, agentProgress, Chassis, nsExec, stopAgent } from './chassis.fixture.ts';
import { haNetTest } from './net-test.fixture.ts';

haNetTest(
  'power cut of the active: the standby feeds in what the peers sent meanwhile',
  async (t) => {
    t.timeout(60_000);
    const ch = new Chassis(t.teardown, {
      prefix: `hle2p${process.pid}`,
      subnet: 96,
      // a detection time the peers surely send within
      heartbeat: { intervalMs: 20, misses: 10 },
      apps: ['{ kind: echo, port: 7, sso: true }'],
    });
    await ch.startPair(0);
    const agent = ch.agent({ connections: 4, apps: 'echo', direction: 'both', 'rate-kbps': 1000 });
    await agentProgress(agent, 32 * 1024, 20_000);
    const before = (await ch.ha(1)).epoch as number;

    nsExec(ch.ns.board[0], 'ip', 'link', 'set', 'ipc', 'down');
    nsExec(ch.ns.lan, 'ip', 'link', 'set', 'dn0', 'down');
    ch.kill(0);
    await ch.boards[0]!.exited;
    const ha = await ch.waitHa(
      1,
      (h) => h.role === 'active' && (h.epoch as number) > before,
      10_000,
      'board 1 takes over',
    );
    await agentProgress(agent, 32 * 1024, 20_000);

    const took = ha.lastTakeover as { overheard: number; reason: string };
    t.is(took.reason, 'takeover');
    t.true(took.overheard > 0, `segments overheard and fed in at takeover: ${took.overheard}`);
    const dead = ch.boards[1]!.lines.find((l) => l.event === 'mate-dead');
    t.truthy(dead, 'mate-dead logged');
    t.is(dead?.ipcClosedByMate, undefined, 'nothing closed the IPC stream: full detection time');
    const summary = await stopAgent(agent);
    t.is(summary.errors, 0);
    t.deepEqual(agentErrors(agent), []);
  },
);
