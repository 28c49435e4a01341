import test from 'ava';
import { BeatShared } from './beat-shared.ts';

test('fields and per-path reports cross threads through one shared buffer', (t) => {
  const main = new BeatShared();
  const worker = new BeatShared(main.buffer);
  t.deepEqual(worker.path('lan'), {
    heardCount: 0,
    alive: false,
    lastHeard: undefined,
    hb: undefined,
  });
  main.writeFields({ slot: 1, role: 'active', epoch: 7, sync: 'disconnected' });
  t.deepEqual(worker.readFields(), { slot: 1, role: 'active', epoch: 7, sync: 'disconnected' });
  main.checkIn = 123;
  t.is(worker.checkIn, 123);

  const hb = {
    slot: 0,
    role: 'standby' as const,
    epoch: 7,
    sync: 'hot' as const,
    counter: 9,
    sentAt: 41.5,
  };
  worker.heard('ipc', hb, 42.25);
  worker.heard('ipc', { ...hb, counter: 10 }, 52.25);
  t.deepEqual(main.path('ipc'), {
    heardCount: 2,
    alive: true,
    lastHeard: 52.25,
    hb: { ...hb, counter: 10 },
  });
  t.is(main.path('lan')?.heardCount, 0, 'paths are apart');
  worker.silent('ipc');
  t.like(main.path('ipc'), { heardCount: 2, alive: false, lastHeard: 52.25 });
});

test('sends from either thread and holes: latest send kept, a hole once written', (t) => {
  const s = new BeatShared();
  t.is(s.lastSent, -1);
  t.is(s.hole, undefined);
  s.noteSent(100);
  s.noteSent(90); // the other thread's older send
  t.is(s.lastSent, 100);
  s.setHole(100, 140);
  t.deepEqual(new BeatShared(s.buffer).hole, { from: 100, to: 140 });
});
