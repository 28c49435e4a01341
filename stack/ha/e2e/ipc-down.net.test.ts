/**
 * The IPC link fails alone (the LAN still carries heartbeats): no takeover, the standby is
 * `disconnected`, the active raises an alarm and keeps serving, and exactly one board answers
 * ARP for the chassis address (ARP replies counted on each board's uplink). Link up → hot again.
 */
import {
  agentErrors,
  agentProgress,
  Chassis,
  type Json,
  nsExec,
  stopAgent,
  until,
} from './chassis.fixture.ts';
import { framesForAddress } from './frames.ts';
import { haNetTest } from './net-test.fixture.ts';

const PREFIX = `hle2i${process.pid}`;

haNetTest(
  'IPC link down alone: no takeover, one board answers ARP, standby disconnected, then hot',
  async (t) => {
    t.timeout(85_000);
    const ch = new Chassis(t.teardown, {
      prefix: PREFIX,
      subnet: 64,
      apps: ['{ kind: echo, port: 7, sso: true }'],
    });
    await ch.startPair(0);
    const agent = ch.agent({ connections: 2, apps: 'echo', direction: 'both', 'rate-kbps': 500 });
    await agentProgress(agent, 16 * 1024, 20_000);

    const [b0, b1] = ch.ns.board;
    nsExec(b0, 'ip', 'link', 'set', 'dev', 'ipc', 'down');
    const disconnected = await ch.waitHa(
      1,
      (h) => h.sync === 'disconnected',
      10_000,
      'standby disconnected',
    );
    t.is(disconnected.role, 'standby');

    // Watch both boards for 5 detection times: the standby must never take over.
    const seen: Json[] = [];
    const watchUntil = Date.now() + 5 * ch.detectionMs;
    while (Date.now() < watchUntil) {
      seen.push(await ch.ha(1));
      await new Promise((r) => setTimeout(r, 25));
    }
    t.deepEqual(
      seen.filter((h) => h.role !== 'standby' || h.sync !== 'disconnected'),
      [],
      'standby stays standby and disconnected while the LAN heartbeats arrive',
    );
    const active = await ch.ha(0);
    t.is(active.role, 'active');
    t.truthy(active.alarm, 'the active raises an IPC alarm');

    // ARP: ask for the chassis address from the peer and count replies per board uplink.
    const caps = [
      await ch.capture(ch.ns.lan, 'dn0', ['arp'], ['-Q', 'in']),
      await ch.capture(ch.ns.lan, 'dn1', ['arp'], ['-Q', 'in']),
    ];
    for (let i = 0; i < 3; i++) {
      nsExec(ch.ns.lan, 'ip', 'neigh', 'flush', 'dev', 'lan');
      nsExec(ch.ns.lan, 'ping', '-c', '1', '-W', '2', ch.chassisAddr);
    }
    const replies = [];
    for (const c of caps)
      replies.push(
        framesForAddress(await c.stop(), ch.chassisAddr).filter((f) => f.kind === 'arp-reply'),
      );
    t.true(replies[0]!.length >= 3, `board 0 (active) answered ${replies[0]!.length} ARP requests`);
    t.deepEqual(replies[1], [], 'board 1 (standby) never answers ARP for the chassis address');

    // The active keeps serving without IPC (it stops waiting for confirmations after a bound).
    await agentProgress(agent, 16 * 1024, 20_000);
    t.deepEqual(agentErrors(agent), []);

    nsExec(b0, 'ip', 'link', 'set', 'dev', 'ipc', 'up');
    nsExec(b1, 'ip', 'link', 'set', 'dev', 'ipc', 'up');
    await ch.waitHa(
      1,
      (h) => h.role === 'standby' && h.sync === 'hot',
      20_000,
      'standby hot again',
    );
    await until(
      async () => {
        const h = await ch.ha(0);
        return h.role === 'active' && !h.alarm ? h : undefined;
      },
      10_000,
      'alarm cleared on the active',
    );
    await agentProgress(agent, 16 * 1024, 20_000);
    const summary = await stopAgent(agent);
    t.is(summary.errors, 0);
  },
);
