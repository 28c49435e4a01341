/**
 * Resuming a stream connection at takeover: from the replicated seed, or — when the seed's
 * record never reached the standby — from the hello the standby replayed.
 */
import test from 'ava';
import { encodeHello } from '../../apps/stream-pattern.ts';
import { encodeStreamState } from './stream-state.ts';
import { sendingDone, streamResume } from './takeover.ts';

const none = new Uint8Array(0);

test('a replicated seed resumes at the socket offsets', (t) => {
  const appState = encodeStreamState({ seed: 77, role: 'server' });
  t.deepEqual(streamResume({ appState, written: 4096, head: none }, 'server', 1008), {
    seed: 77,
    role: 'server',
    sent: 4096,
    verified: 1000,
  });
});

test('no seed record: a server resumes from the hello it replayed', (t) => {
  const head = encodeHello(0xdeadbeef);
  t.deepEqual(streamResume({ appState: none, written: 0, head }, 'server', 8), {
    seed: 0xdeadbeef,
    role: 'server',
    sent: 0,
    verified: 0,
  });
  t.deepEqual(streamResume({ appState: none, written: 1448, head }, 'server', 508), {
    seed: 0xdeadbeef,
    role: 'server',
    sent: 1448,
    verified: 500,
  });
});

test('nothing exchanged yet: the connection starts afresh', (t) => {
  t.is(streamResume({ appState: none, written: 0, head: none }, 'server', 0), undefined);
  t.is(streamResume({ appState: none, written: 0, head: none }, 'client', 0), undefined);
});

test('no seed and no way to find it: resume is refused (empty state)', (t) => {
  // The hello was consumed but the standby never saw it (joined later), or a client wrote.
  t.deepEqual(streamResume({ appState: none, written: 0, head: none }, 'server', 8), {});
  t.deepEqual(streamResume({ appState: none, written: 8, head: none }, 'client', 0), {});
  const bad = new TextEncoder().encode('NOTHELLO');
  t.deepEqual(streamResume({ appState: none, written: 0, head: bad }, 'server', 8), {});
});

test('a bounded stream that wrote its last byte on the old board is shut down after adoption', (t) => {
  const app = (kind: string, bytes?: number) =>
    ({ spec: { kind, bytes, port: 5001, sso: true } }) as unknown as Parameters<
      typeof sendingDone
    >[0];
  t.true(sendingDone(app('stream', 4096), { seed: 1, role: 'server', sent: 4096, verified: 0 }));
  t.true(sendingDone(app('stream', 4096), { seed: 1, role: 'server', sent: 5000, verified: 0 }));
  t.false(sendingDone(app('stream', 4096), { seed: 1, role: 'server', sent: 4095, verified: 0 }));
  t.false(
    sendingDone(app('stream'), { seed: 1, role: 'server', sent: 4096, verified: 0 }),
    'unbounded',
  );
  t.false(sendingDone(app('stream', 4096), undefined), 'starts afresh');
  t.false(sendingDone(app('stream', 4096), {}), 'resume refused');
  t.false(sendingDone(app('echo', 4096), { sent: 4096 }), 'echo ends when its peer does');
});
