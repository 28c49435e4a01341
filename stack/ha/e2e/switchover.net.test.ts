/**
 * Planned switchovers between two shipped daemons (two processes: two clocks) with a kernel
 * peer: there, back, there and back again under stream and echo traffic. The old active keeps
 * its engine and replays the new active's log, so both must go on from exactly the same state:
 * no digest mismatch on either board, no error at the peer, every byte verified.
 */
import { requestDaemon } from '../../rpd/status-client.ts';
import { agentErrors, agentProgress, type Slot, servedPair, stopAgent } from './chassis.fixture.ts';
import { haNetTest } from './net-test.fixture.ts';

const PREFIX = `hle2w${process.pid}`;

haNetTest(
  'four planned switchovers between two processes: no digest mismatch, no peer error',
  async (t) => {
    t.timeout(85_000);
    const { ch, agent } = await servedPair(t.teardown, {
      prefix: PREFIX,
      subnet: 104,
      connections: 4,
      rateKbps: 2000,
      firstProgress: 64 * 1024,
    });
    for (let i = 1; i <= 4; i++) {
      const from: Slot = (await ch.ha(0)).role === 'active' ? 0 : 1;
      const to = (1 - from) as Slot;
      const epoch = (await ch.ha(from)).epoch as number;
      await requestDaemon(ch.socketPath(from), { cmd: 'switchover' });
      await ch.waitHa(
        to,
        (h) => h.role === 'active' && (h.epoch as number) > epoch,
        10_000,
        `switchover ${i}`,
      );
      await ch.waitHa(from, (h) => h.role === 'standby' && h.sync === 'hot', 10_000, 'hot');
      await agentProgress(agent, 64 * 1024, 20_000);
      const mismatches = [(await ch.ha(0)).mismatches, (await ch.ha(1)).mismatches];
      t.deepEqual(mismatches, [0, 0], `digest mismatches after switchover ${i}`);
    }
    t.deepEqual(agentErrors(agent), []);
    const summary = await stopAgent(agent);
    const conns = summary.conns as { errors: number; verified: number }[];
    t.is(conns.length, 4);
    for (const c of conns) t.like(c, { errors: 0 });
    t.true(conns.every((c) => c.verified > 4 * 64 * 1024));
  },
);
