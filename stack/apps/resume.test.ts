/**
 * A stream connection moved mid-transfer to a fresh engine and socket layer
 * (what a standby does at takeover): the app resumes from the old board's
 * seed and offsets, regenerating its output, and both sides stay byte-exact.
 */
import test from 'ava';
import { TcpEngine } from '../tcp/engine.ts';
import { hostPair } from '../tcp/host/pair.ts';
import { parseIpv4 } from '../wire/address.ts';
import { appSpecSchema } from './config.ts';
import { startApp } from './index.ts';

const MB = 1024 * 1024;

test('stream server taken over mid-stream by a fresh board resumes byte-exact', (t) => {
  const p = hostPair();
  const logs: Record<string, unknown>[] = [];
  const log = (e: Record<string, unknown>): void => {
    logs.push(e);
  };
  const serverSpec = appSpecSchema.parse({ kind: 'stream', port: 5001, bytes: MB });
  const server = startApp(serverSpec, { net: p.a, log });
  const client = startApp(
    appSpecSchema.parse({ kind: 'stream', connect: `${p.addrA}:5001`, bytes: MB, seed: 9 }),
    { net: p.b, log },
  );
  t.true(p.runUntil(() => server.stats().bytesIn > 300_000 && client.stats().bytesIn > 300_000));

  // The old board's view at the moment it dies.
  const old = p.a.allSockets()[0]!;
  const state = server.connectionState(old.id)!;
  t.like(state, { seed: 9, role: 'server' });
  t.true((state.sent as number) > 0 && (state.verified as number) > 0);
  const snapshot = p.a.engine.snapshotConnection(old.id);

  // The new board: same engine config, the connection installed from the snapshot.
  const engine = new TcpEngine({
    localAddr: parseIpv4(p.addrA),
    isnSecret: new Uint8Array(16).fill(1),
  });
  const id = engine.restoreConnection(snapshot);
  const host = p.replace('a', engine);
  const resumed = startApp(serverSpec, { net: host, log });
  const socket = host.adopt(id, {
    sso: old.sso,
    outputRegenerable: old.outputRegenerable,
    bytesRead: old.bytesRead,
    bytesWritten: old.bytesWritten,
  });
  t.true(socket.outputRegenerable);
  resumed.adopt(socket, 'server', state);
  host.flush();
  host.resume(id);

  t.true(p.runUntil(() => client.stats().closed === 1 && resumed.stats().closed === 1, 120_000));
  t.is(client.stats().mismatches, 0);
  t.is(resumed.stats().mismatches, 0);
  t.is(client.stats().bytesIn, MB, 'the client received every byte, from both boards');
  const ends = logs.filter((e) => e.event === 'stream-end');
  t.is(ends.length, 2, 'one end per side: the old board died before the end');
  t.like(
    ends.find((e) => e.role === 'client'),
    { seed: 9, verified: MB, mismatch: false },
  );
  t.like(
    ends.find((e) => e.role === 'server'),
    { seed: 9, verified: MB, mismatch: false },
  );
  t.is(client.stats().errors + resumed.stats().errors, 0);
});
