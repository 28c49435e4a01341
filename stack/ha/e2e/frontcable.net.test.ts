/**
 * The active's front cable pulled (its LAN switch port goes dark): the board reads the carrier
 * of its front bridge, its hot standby's link is up, so it hands the chassis address over in a
 * planned switchover. The kernel peer sees no error; the cable back, nothing moves; the new
 * active's cable pulled in turn, it hands back.
 */
import {
  agentErrors,
  agentProgress,
  nsExec,
  type Slot,
  servedPair,
  stopAgent,
} from './chassis.fixture.ts';
import { haNetTest } from './net-test.fixture.ts';

haNetTest('front cable of the active pulled: it hands over, the peer sees no error', async (t) => {
  t.timeout(80_000);
  const { ch, agent } = await servedPair(t.teardown, {
    prefix: `hle2f${process.pid}`,
    subnet: 100,
    connections: 6,
    rateKbps: 1000,
    firstProgress: 32 * 1024,
  });
  const cable = (slot: Slot, state: 'up' | 'down') =>
    nsExec(ch.ns.lan, 'ip', 'link', 'set', `dn${slot}`, state);

  for (const [from, to] of [
    [0, 1],
    [1, 0],
  ] as const) {
    const epoch = (await ch.ha(to)).epoch as number;
    cable(from, 'down');
    const ha = await ch.waitHa(
      to,
      (h) => h.role === 'active' && (h.epoch as number) > epoch,
      10_000,
      `board ${to} takes the address from board ${from}`,
    );
    t.like(ha.lastSwitchover as object, { reason: 'switchover' });
    const old = await ch.waitHa(from, (h) => h.role === 'standby', 5000, `board ${from} standby`);
    t.is(old.frontLink, 'down', 'status: its own front link');
    await agentProgress(agent, 32 * 1024, 20_000);
    t.deepEqual(agentErrors(agent), [], `errors after pulling board ${from}'s cable`);
    t.true(
      ch.boards[from]!.lines.some(
        (l) => l.event === 'ha-handing-over' && l.detail === 'front link down',
      ),
      'the hand-over is logged with its reason',
    );
    cable(from, 'up');
    await ch.waitHa(from, (h) => h.sync === 'hot', 20_000, `board ${from} hot`);
    t.is((await ch.ha(to)).role, 'active', 'the cable back, nothing moves');
  }
  const summary = await stopAgent(agent);
  t.is(summary.errors, 0);
});
