/**
 * A client app on the chassis (`connect:`): after a takeover the new active carries on the
 * connections it adopted and opens none of its own (the peer sees no extra connection).
 */
import test from 'ava';
import { appSpecSchema } from '../../apps/config.ts';
import { type RunningApp, startApp } from '../../apps/index.ts';
import { HELLO_BYTES } from '../../apps/stream-pattern.ts';
import { chassis, MB, waitFor } from './memory-chassis.fixture.ts';

test.serial(
  'takeover: a client app carries on its 2 connections and opens no new ones',
  async (t) => {
    let server: RunningApp | undefined;
    const { a, b, boards, ipc, lan, link0 } = await chassis(t, true, undefined, {
      apps: [
        '{ kind: stream, connect: "198.18.2.2:5002", connections: 2, sso: true, bytes: 1048576 }',
      ],
      peerSetup: (peer) => {
        server = startApp(appSpecSchema.parse({ kind: 'stream', port: 5002, bytes: MB }), {
          net: peer,
          log: () => {},
        });
      },
    });
    await waitFor(() => (server?.stats().bytesIn ?? 0) > MB / 2, 'client streams under way');
    await waitFor(
      () => a.engine.replicator.ssoConnections().length >= 2 && b.ha.status().sync === 'hot',
      'client connections replicated',
    );
    t.is(server!.stats().opened, 2);
    ipc.ports[0].cut = true;
    lan[0].up = false;
    boards[0]!.stop('power cut');
    link0.close();
    await waitFor(() => b.ha.node.role === 'active', 'slot 1 took over');
    await waitFor(() => server!.stats().closed === 2, 'client streams finished', 60_000);
    const s = server!.stats();
    t.is(s.opened, 2, 'no connection opened again by the new active');
    t.is(s.errors, 0);
    t.is(s.mismatches, 0);
    t.is(s.bytesIn, 2 * (MB + HELLO_BYTES), 'every byte of both streams, after their hello');
    const client = b.apps().find((x) => x.spec.connect !== undefined)!;
    t.like(client.stats(), { errors: 0, mismatches: 0 });
  },
);
