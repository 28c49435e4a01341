import test from 'ava';
import { type PacedOutput, ReleasePacer, releaseSliceBytes } from './release-pacer.ts';

function harness(sliceBytes: number) {
  const sent: string[] = [];
  const turns: (() => void)[] = [];
  const pacer = new ReleasePacer((fn) => turns.push(fn), sliceBytes);
  const out = (name: string, bytes = 100): PacedOutput => ({ bytes, send: () => sent.push(name) });
  const turn = (): void => turns.shift()?.();
  return { pacer, sent, turns, out, turn };
}

test('a release within the slice goes out at once, with no turn scheduled', (t) => {
  const h = harness(1000);
  h.pacer.push([h.out('a'), h.out('b')]);
  t.deepEqual(h.sent, ['a', 'b']);
  t.is(h.turns.length, 0);
  t.is(h.pacer.waiting, 0);
});

test('a big release goes out one slice per turn, in order', (t) => {
  const h = harness(250);
  h.pacer.push(['a', 'b', 'c', 'd', 'e', 'f', 'g'].map((n) => h.out(n)));
  // a slice ends once it reached the bound: 100 + 100 + 100 ≥ 250
  t.deepEqual(h.sent, ['a', 'b', 'c']);
  t.is(h.pacer.waiting, 4);
  h.turn();
  t.deepEqual(h.sent, ['a', 'b', 'c', 'd', 'e', 'f']);
  h.turn();
  t.deepEqual(h.sent, ['a', 'b', 'c', 'd', 'e', 'f', 'g']);
  t.is(h.turns.length, 0);
});

test('what is pushed while a slice waits goes behind it, not ahead', (t) => {
  const h = harness(150);
  h.pacer.push([h.out('a'), h.out('b'), h.out('c')]);
  t.deepEqual(h.sent, ['a', 'b']);
  h.pacer.push([h.out('d')]);
  t.deepEqual(h.sent, ['a', 'b'], 'nothing overtakes the waiting c');
  h.turn();
  t.deepEqual(h.sent, ['a', 'b', 'c', 'd']);
});

test('an output sent during a slice that outputs more only queues it', (t) => {
  const h = harness(1000);
  const nested = h.out('nested');
  h.pacer.push([
    {
      bytes: 100,
      send: () => {
        h.sent.push('a');
        h.pacer.push([nested]);
      },
    },
    h.out('b'),
  ]);
  t.deepEqual(h.sent, ['a', 'b', 'nested']);
});

test('clear drops what waits, and the turn scheduled before sends nothing after it', (t) => {
  const h = harness(100);
  h.pacer.push([h.out('a'), h.out('b'), h.out('c')]);
  t.deepEqual(h.sent, ['a']);
  h.pacer.clear();
  t.is(h.pacer.waiting, 0);
  h.pacer.push([h.out('x'), h.out('y')]);
  t.deepEqual(h.sent, ['a', 'x']);
  h.turn(); // the stale turn from before clear
  t.deepEqual(h.sent, ['a', 'x']);
  h.turn();
  t.deepEqual(h.sent, ['a', 'x', 'y']);
});

test('a slice is three eighths of the send buffer, 64 KiB at least', (t) => {
  t.is(releaseSliceBytes(2 * 1024 * 1024), 768 * 1024);
  t.is(releaseSliceBytes(1024 * 1024), 384 * 1024);
  t.is(releaseSliceBytes(16 * 1024), 64 * 1024);
});
