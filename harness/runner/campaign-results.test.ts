/** `hitless run`'s exit code: 0 pass, 1 the device failed, 2 anything else or a run cut short. */
import test from 'ava';
import { exitCodeFor } from './campaign-results.ts';

test('exit codes: pass 0, fail 1, error 2; an interrupted or crashed run is 2 whatever it saw', (t) => {
  t.is(exitCodeFor('pass', false), 0);
  t.is(exitCodeFor('fail', false), 1);
  t.is(exitCodeFor('error', false), 2);
  for (const v of ['pass', 'fail', 'error'] as const) t.is(exitCodeFor(v, true), 2, v);
});
