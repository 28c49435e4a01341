import test from 'ava';
import { faultLine } from './progress.ts';

test('the progress line names the fault, the elapsed time and the results so far', (t) => {
  const line = faultLine({
    index: 7,
    total: 100,
    kind: 'kill-active',
    elapsedMs: 125_400,
    tally: { done: 6, errors: 1, peerErrors: 2, longStalls: 3 },
    phase: 'healing',
  });
  t.is(
    line,
    '[2:05] fault 7/100 kill-active: healing  (so far: 6 done, 1 not completed, 2 peer errors, 3 long stalls)',
  );
  t.notRegex(
    faultLine({
      index: 1,
      total: 1,
      kind: 'x',
      elapsedMs: 0,
      tally: { done: 0, errors: 0, peerErrors: 0 },
      phase: 'waiting',
    }),
    /long stalls/,
  );
});
