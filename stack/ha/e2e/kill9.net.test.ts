/**
 * Two shipped daemons (`hitless rpd`) in two board namespaces and a kernel peer in a third:
 * 10 connections (stream and echo, both directions); kill -9 the active mid-stream → the peer
 * sees no error and every byte verifies; the killed board restarts and gets hot; kill -9 the
 * new active → again no error.
 */
import { agentErrors, agentProgress, type Slot, servedPair, stopAgent } from './chassis.fixture.ts';
import { haNetTest } from './net-test.fixture.ts';

const PREFIX = `hle2k${process.pid}`;

haNetTest(
  'kill -9 the active twice, with a rejoin between: the kernel peer sees no error',
  async (t) => {
    t.timeout(85_000);
    const { ch, agent } = await servedPair(t.teardown, {
      prefix: PREFIX,
      subnet: 60,
      connections: 10,
      rateKbps: 1000,
      firstProgress: 64 * 1024,
    });
    t.teardown(() => {
      if (process.env.HA_TEST_LOG) {
        for (const b of ch.boards) for (const l of b?.lines ?? []) console.log(JSON.stringify(l));
        for (const l of agent.lines) if (l.event !== 'progress') console.log(JSON.stringify(l));
      }
    });

    const killActive = async (victim: Slot): Promise<void> => {
      const survivor = (1 - victim) as Slot;
      const before = (await ch.ha(survivor)).epoch as number;
      ch.kill(victim);
      await ch.boards[victim]!.exited;
      await ch.waitHa(
        survivor,
        (h) => h.role === 'active' && (h.epoch as number) > before,
        10_000,
        `board ${survivor} takes over`,
      );
      const dead = ch.boards[survivor]!.lines.findLast((l) => l.event === 'mate-dead');
      t.is(dead?.ipcClosedByMate, true, "the dead daemon's kernel closed IPC: the quick verdict");
      // The connections carry on through the new active.
      await agentProgress(agent, 64 * 1024, 20_000);
      t.deepEqual(agentErrors(agent), [], `errors after killing board ${victim}`);
    };

    // The stream apps read what arrives at once: those bytes went as their place in the stream.
    const replication = (await ch.ha(0)).replication as { consumedBytes: number };
    t.true(replication.consumedBytes > 0, JSON.stringify(replication));
    await killActive(0);
    // Rejoin: the killed board boots again as standby, bulk-syncs and gets hot.
    await ch.start(0);
    const rejoined = await ch.waitHa(
      0,
      (h) => h.role === 'standby' && h.sync === 'hot',
      20_000,
      'board 0 hot again',
    );
    t.is(rejoined.role, 'standby');
    t.like(ch.cliStatus(0).ha as object, { role: 'standby', sync: 'hot' }, 'rpd status --json');
    await agentProgress(agent, 32 * 1024, 20_000);
    await killActive(1);

    const summary = await stopAgent(agent);
    t.is(summary.errors, 0);
    const conns = summary.conns as { sent: number; verified: number; errors: number }[];
    t.is(conns.length, 10);
    for (const c of conns) {
      t.is(c.errors, 0);
      t.true(c.verified > 128 * 1024, `verified ${c.verified} bytes`);
    }
    t.deepEqual(agentErrors(agent), []);
  },
);
