/**
 * The active freezes (SIGSTOP) for 5× the detection time, then resumes (SIGCONT): the standby
 * took over, and from the moment it resumes the old active never speaks for the chassis
 * address again (a capture of its uplink: no IPv4 source and no ARP sender equal to it).
 */
import { agentErrors, agentProgress, servedPair, stopAgent } from './chassis.fixture.ts';
import { framesForAddress } from './frames.ts';
import { haNetTest } from './net-test.fixture.ts';

const PREFIX = `hle2f${process.pid}`;

haNetTest(
  'frozen active: the standby takes over, the old active goes silent on the front after resume',
  async (t) => {
    t.timeout(85_000);
    const { ch, agent } = await servedPair(t.teardown, {
      prefix: PREFIX,
      subnet: 68,
      connections: 4,
      rateKbps: 1000,
      firstProgress: 32 * 1024,
    });
    // Everything board 0 puts on the front LAN (its TAP and its kernel, through its uplink).
    const cap = await ch.capture(ch.ns.board[0], 'uplink', [], ['-Q', 'out']);
    await agentProgress(agent, 8 * 1024, 20_000); // traffic through board 0 while captured

    const epochBefore = (await ch.ha(1)).epoch as number;
    const stoppedAt = Date.now();
    ch.kill(0, 'SIGSTOP');
    await ch.waitHa(
      1,
      (h) => h.role === 'active' && (h.epoch as number) > epochBefore,
      5 * ch.detectionMs,
      'board 1 takes over while board 0 is frozen',
    );
    // Stay frozen for 5 detection times in all (the test is about a long freeze).
    const frozenFor = 5 * ch.detectionMs - (Date.now() - stoppedAt);
    if (frozenFor > 0) await new Promise((r) => setTimeout(r, frozenFor));
    const resumedAt = Date.now();
    ch.kill(0, 'SIGCONT');

    // The old active learns it lost mastership and becomes a standby of the new one.
    await ch.waitHa(0, (h) => h.role === 'standby', 10_000, 'board 0 steps down');
    await ch.waitHa(0, (h) => h.sync === 'hot', 20_000, 'board 0 hot standby');
    await agentProgress(agent, 32 * 1024, 20_000);
    const frames = await cap.stop();
    const spoken = framesForAddress(frames, ch.chassisAddr);
    t.true(
      spoken.some((f) => f.ms < stoppedAt),
      'the capture saw board 0 speak for the chassis address before the freeze',
    );
    t.true(
      frames.some((f) => f.ms >= resumedAt),
      'the capture still saw board 0 (its kernel heartbeats) after the resume',
    );
    const after = spoken.filter((f) => f.ms >= resumedAt);
    t.deepEqual(
      after.slice(0, 10).map((f) => ({ atMsAfterResume: Math.round(f.ms - resumedAt), ...f })),
      [],
      `board 0 sent ${after.length} frames for the chassis address after it resumed`,
    );
    const final = await ch.ha(1);
    t.is(final.role, 'active');
    const summary = await stopAgent(agent);
    t.deepEqual(agentErrors(agent), [], 'the kernel peer sees no error through the freeze');
    t.is(summary.errors, 0);
  },
);
