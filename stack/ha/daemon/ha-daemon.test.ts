/**
 * Two board daemons in HA mode in one process (no root), a plain peer host on an in-memory hub.
 * The active dies mid-stream (silently, as at a power cut); the standby takes over and every
 * byte verifies; planned switchovers; IPC cut alone; no IPC records without SSO.
 */
import test from 'ava';
import { appSpecSchema } from '../../apps/config.ts';
import { startApp } from '../../apps/index.ts';
import { chassis, echoClient, MB, waitFor } from './memory-chassis.fixture.ts';

test.serial(
  'kill the active mid-stream: the standby takes over, the peer sees no error, every byte verifies',
  async (t) => {
    const { a, b, boards, ipc, lan, link0, peerHost } = await chassis(t);
    const client = startApp(
      appSpecSchema.parse({
        kind: 'stream',
        connect: '198.18.2.1:5001',
        connections: 3,
        bytes: 2 * MB,
        seed: 11,
      }),
      { net: peerHost, log: () => {} },
    );

    const echoes = [echoClient(peerHost, 21, MB), echoClient(peerHost, 22, MB)];

    await waitFor(() => client.stats().bytesIn > 1.5 * MB, 'a third of the streams');
    t.true(a.engine.replicator.ssoConnections().length >= 3);
    // The chassis's stream apps read the peer's bytes at once: those went as consumed records.
    t.true(a.engine.replicator.stats.consumedBytes > 0);
    t.log(
      `at the cut: streams ${client.stats().bytesIn} B, echoes ${echoes.map((e) => e.received)} B`,
    );
    // Power cut on slot 0: nothing more leaves it on any path.
    ipc.ports[0].cut = true;
    lan[0].up = false;
    boards[0]!.stop('power cut');
    link0.close();

    await waitFor(() => b.ha.node.role === 'active', 'slot 1 took over');
    await waitFor(() => client.stats().closed === 3, 'all streams finished', 60_000);
    await waitFor(() => echoes.every((e) => e.closed), 'echo connections closed', 30_000);
    for (const e of echoes) t.like(e, { received: MB, mismatch: -1, ended: true, errors: [] });
    const s = client.stats();
    t.is(s.errors, 0);
    t.is(s.mismatches, 0);
    t.is(s.bytesIn, 3 * 2 * MB, 'every byte from both boards');
    t.is(b.replayer.stats.mismatches, 0);
    t.true(b.replayer.stats.applied > 100);
  },
);

test.serial(
  'planned switchover there, back and there again, mid-stream: nothing is lost',
  async (t) => {
    const { a, b, peerHost } = await chassis(t);
    const client = startApp(
      appSpecSchema.parse({
        kind: 'stream',
        connect: '198.18.2.1:5001',
        connections: 2,
        bytes: 2 * MB,
        seed: 31,
      }),
      { net: peerHost, log: () => {} },
    );
    const echo = echoClient(peerHost, 41, MB);
    const boards = [a, b];
    for (let i = 0; i < 3; i++) {
      const [from, to] = [boards[i % 2]!, boards[(i + 1) % 2]!];
      await waitFor(
        () => client.stats().bytesIn > (i + 1) * MB,
        `stream progress before switchover ${i + 1}`,
      );
      // An operator's switchover may be aborted (the drain timed out on a
      // loaded machine) and is then asked again, as `rpd switchover` would be.
      for (let attempt = 1; ; attempt++) {
        from.ha.requestSwitchover();
        try {
          await waitFor(
            () => to.ha.node.role === 'active' && from.ha.node.role === 'standby',
            `switchover ${i + 1} (attempt ${attempt})`,
            8000,
          );
          break;
        } catch (err) {
          if (attempt === 3) throw err;
          t.log(`switchover ${i + 1}: attempt ${attempt} did not complete, asking again`);
        }
      }
      await waitFor(() => from.ha.status().sync === 'hot', `old active hot as standby (${i + 1})`);
    }
    await waitFor(
      () => client.stats().closed === 2 && echo.closed,
      'all connections finished',
      60_000,
    );
    t.like(client.stats(), { errors: 0, mismatches: 0, bytesIn: 2 * 2 * MB });
    t.like(echo, { received: MB, mismatch: -1, ended: true, errors: [] });
    t.is(a.replayer.stats.mismatches + b.replayer.stats.mismatches, 0);
    t.truthy(b.ha.status().lastSwitchover);
  },
);

test.serial(
  'IPC cut alone: no takeover while the LAN answers, the active keeps serving; IPC back: hot again',
  async (t) => {
    const { a, b, ipc, peerHost } = await chassis(t);
    const client = startApp(
      appSpecSchema.parse({
        kind: 'stream',
        connect: '198.18.2.1:5001',
        connections: 2,
        bytes: 2 * MB,
        seed: 51,
      }),
      { net: peerHost, log: () => {} },
    );
    await waitFor(() => client.stats().bytesIn > MB / 2, 'streams under way');
    ipc.ports[0].cut = true;
    ipc.ports[1].cut = true;
    await waitFor(() => b.ha.status().sync === 'disconnected', 'standby disconnected');
    // The peers stall detection + alarm timeout: the daemon holds for 2 x detection (50 ms x 10).
    t.is(a.ha.node.alarmTimeoutMs, 1000);
    t.is(b.ha.node.alarmTimeoutMs, 1000);
    // Output commit stops waiting after the alarm timeout: the streams finish on the active.
    await waitFor(() => client.stats().closed === 2, 'streams finished on the active', 60_000);
    t.like(client.stats(), { errors: 0, mismatches: 0, bytesIn: 2 * 2 * MB });
    t.is(a.ha.node.role, 'active');
    t.is(b.ha.node.role, 'standby', 'no takeover while the active answers on the LAN');
    t.truthy(a.ha.status().alarm);
    ipc.ports[0].cut = false;
    ipc.ports[1].cut = false;
    ipc.connect();
    await waitFor(() => b.ha.status().sync === 'hot', 'hot again after the IPC is back');
    t.is(a.ha.node.role, 'active');
  },
);

test.serial('connections without SSO cause no IPC records at all', async (t) => {
  const { a, b, peerHost } = await chassis(t, false);
  const before = a.ha.log.lastIndex;
  const client = startApp(
    appSpecSchema.parse({
      kind: 'stream',
      connect: '198.18.2.1:5001',
      connections: 2,
      bytes: MB,
      seed: 61,
    }),
    { net: peerHost, log: () => {} },
  );
  const echo = echoClient(peerHost, 62, MB / 4);
  await waitFor(() => client.stats().closed === 2 && echo.closed, 'connections finished', 60_000);
  t.like(client.stats(), { errors: 0, mismatches: 0 });
  t.is(a.engine.replicator.stats.records, 0);
  t.is(a.ha.log.lastIndex, before);
  t.is(b.replayer.stats.applied, 0);
});
