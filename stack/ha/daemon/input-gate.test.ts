/** The front's TCP input gate: held in order while paused, bounded, copied; and in the daemon. */
import test from 'ava';
import { appSpecSchema } from '../../apps/config.ts';
import { startApp } from '../../apps/index.ts';
import type { TcpSegment } from '../../tcp/api.ts';
import { InputGate } from './input-gate.ts';
import { chassis, MB, waitFor } from './memory-chassis.fixture.ts';

const seg = (seq: number, payload = new Uint8Array(0)): TcpSegment => ({
  srcPort: 1,
  dstPort: 2,
  seq,
  ack: 0,
  flags: 0x10,
  window: 100,
  urgent: 0,
  options: {},
  payload,
});

test('held while paused for any reason, released in order, bounded, payload copied', (t) => {
  const got: number[] = [];
  const gate = new InputGate((_s, _d, sg) => got.push(sg.seq), 3);
  gate.receive(1, 2, seg(1));
  gate.pause('ipc-window');
  gate.pause('switchover');
  const buf = new Uint8Array([7]);
  gate.receive(1, 2, seg(2, buf));
  buf[0] = 9; // the link reuses its buffers
  gate.receive(1, 2, seg(3));
  gate.receive(1, 2, seg(4));
  gate.receive(1, 2, seg(5)); // over the bound
  t.deepEqual(got, [1]);
  gate.resume('ipc-window');
  t.deepEqual(got, [1], 'still paused for the switchover');
  gate.resume('switchover');
  t.deepEqual(got, [1, 2, 3, 4]);
  t.like(gate.stats, { pauses: 1, held: 3, dropped: 1, released: 3 });
  let payload: Uint8Array | undefined;
  const g2 = new InputGate((_s, _d, sg) => {
    payload = sg.payload;
  });
  g2.pause('ipc-window');
  const b2 = new Uint8Array([7]);
  g2.receive(1, 2, seg(1, b2));
  b2[0] = 9;
  g2.resume('ipc-window');
  t.deepEqual([...payload!], [7]);
});

test('a delivery that pauses again stops the release; the rest waits', (t) => {
  const got: number[] = [];
  const gate: InputGate = new InputGate((_s, _d, sg) => {
    got.push(sg.seq);
    if (sg.seq === 2) gate.pause('ipc-window');
  });
  gate.pause('switchover');
  for (const n of [1, 2, 3]) gate.receive(1, 2, seg(n));
  gate.resume('switchover');
  t.deepEqual(got, [1, 2]);
  t.is(gate.heldNow, 1);
  gate.receive(1, 2, seg(4));
  t.deepEqual(got, [1, 2], 'new input queues behind what is held');
  gate.resume('ipc-window');
  t.deepEqual(got, [1, 2, 3, 4]);
});

test.serial(
  'daemon: a full IPC window pauses the front input, resumed when the link resets; every byte verifies',
  async (t) => {
    const { b, boards, ipc, peerHost } = await chassis(t, true, {
      maxRecords: 16,
      maxBytes: 64 * 1024,
    });
    const inputs = () =>
      (
        boards[0]!.loop.status().ha as {
          inputs: { paused: boolean; pauses: number; released: number };
        }
      ).inputs;
    const client = startApp(
      appSpecSchema.parse({
        kind: 'stream',
        connect: '198.18.2.1:5001',
        connections: 2,
        bytes: MB,
        seed: 71,
      }),
      { net: peerHost, log: () => {} },
    );
    await waitFor(() => client.stats().bytesIn > MB / 2, 'streams under way');
    // the standby stops confirming (its side of the link hears nothing): the window fills up
    ipc.ports[1].cut = true;
    await waitFor(() => inputs()?.paused === true, 'front input paused');
    const at = client.stats().bytesIn;
    await new Promise((r) => setTimeout(r, 100));
    t.true(client.stats().bytesIn - at < 256 * 1024, 'little progress while paused');
    ipc.ports[1].cut = false; // the standby resets the silent session; the fixture reconnects
    await waitFor(() => client.stats().closed === 2, 'streams finished', 20_000);
    t.like(client.stats(), { errors: 0, mismatches: 0, bytesIn: 2 * 2 * MB });
    t.true(inputs().pauses > 0);
    t.true(inputs().released > 0, 'held input delivered on resume');
    t.is(b.replayer.stats.mismatches, 0);
  },
);
