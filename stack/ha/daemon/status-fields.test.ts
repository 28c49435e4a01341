/**
 * What the campaign runner reads from `rpd status --json` and the daemon log: role, sync,
 * epoch, connections, replication lag, mismatches, IPC alarms, last switchover time and
 * duration, and the `mate-dead` detection event with the time the mate was last heard.
 */
import test from 'ava';
import { appSpecSchema } from '../../apps/config.ts';
import { startApp } from '../../apps/index.ts';
import { requestDaemon } from '../../rpd/status-client.ts';
import { chassis, MB, waitFor } from './memory-chassis.fixture.ts';

interface Status {
  ha: {
    role: string;
    sync: string;
    epoch: number;
    lag: { records: number; bytes: number };
    mismatches: number;
    alarm: string | null;
    alarms: { raised: number; cleared: number; last: { reason: string; time: string } | null };
    lastTakeover: { time: string; durationMs: number; reason: string } | null;
    lastSwitchover: { reason: string } | null;
  };
  tcp: { connections: number };
}

test.serial('status fields and the mate-dead event', async (t) => {
  const { b, boards, logs, ipc, lan, link0, peerHost } = await chassis(t);
  const client = startApp(
    appSpecSchema.parse({
      kind: 'stream',
      connect: '198.18.2.1:5001',
      connections: 2,
      bytes: MB,
      seed: 81,
    }),
    { net: peerHost, log: () => {} },
  );
  await waitFor(() => client.stats().bytesIn > MB / 4, 'streams under way');
  const ask = async (slot: 0 | 1) =>
    (await requestDaemon(boards[slot]!.status.path, { cmd: 'status' })) as Status;
  const s0 = await ask(0);
  t.like(s0.ha, { role: 'active', sync: 'hot', epoch: 1, mismatches: 0, alarm: null });
  t.is(s0.tcp.connections, 2);
  t.is(typeof s0.ha.lag.records, 'number');
  t.is(typeof s0.ha.lag.bytes, 'number');
  t.like(s0.ha.alarms, { raised: 0, cleared: 0, last: null });
  t.like((await ask(1)).ha, { role: 'standby', sync: 'hot', epoch: 1 });
  // IPC alone cut: the active raises its alarm
  ipc.ports[0].cut = true;
  ipc.ports[1].cut = true;
  await waitFor(
    () =>
      boards[0]!.loop.status().ha !== undefined &&
      (boards[0]!.loop.status().ha as Status['ha']).alarms.raised === 1,
    'alarm raised',
  );
  const alarmed = await ask(0);
  t.is(alarmed.ha.alarm, 'ipc lost');
  t.regex(alarmed.ha.alarms.last!.reason, /ipc lost/);
  t.true(logs.some((l) => l.slot === 0 && l.event === 'ipc-alarm'));
  ipc.ports[0].cut = false;
  ipc.ports[1].cut = false;
  ipc.connect();
  await waitFor(() => b.ha.status().sync === 'hot', 'hot again');
  // power cut of the active: the standby logs mate-dead, then takes over
  const cutAt = Date.now();
  ipc.ports[0].cut = true;
  lan[0].up = false;
  boards[0]!.stop('power cut');
  link0.close();
  await waitFor(() => b.ha.node.role === 'active', 'slot 1 took over');
  const dead = logs.find((l) => l.slot === 1 && l.event === 'mate-dead');
  t.truthy(dead, 'mate-dead logged');
  const lastHeard = Date.parse(String(dead!.fields.lastHeard));
  t.true(Math.abs(lastHeard - cutAt) < 1000, `last heard ${dead!.fields.lastHeard} near the cut`);
  t.true((dead!.fields.silentMs as number) >= 500, 'silent for the detection time (50 ms x 10)');
  const s1 = await ask(1);
  t.like(s1.ha, { role: 'active', epoch: 2 });
  t.like(s1.ha.lastTakeover, { reason: 'takeover' });
  t.false(Number.isNaN(Date.parse(s1.ha.lastTakeover!.time)));
  t.is(typeof s1.ha.lastTakeover!.durationMs, 'number');
  t.is(s1.tcp.connections, 2);
});
