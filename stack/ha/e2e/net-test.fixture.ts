/**
 * Registers a real-process HA test, or, where this machine cannot run it (not root and not
 * under CI, where a missing privilege is a failure), a visible placeholder saying so.
 */
import test, { type ExecutionContext } from 'ava';
import { netTestsRunnable } from './chassis.fixture.ts';

export function haNetTest(title: string, body: (t: ExecutionContext) => Promise<void>): void {
  if (netTestsRunnable) {
    test(title, body);
    return;
  }
  test(`${title} (skipped: needs root and network namespaces)`, (t) => {
    t.log('skipped: run as root, or under CI=true where this is a failure');
    t.pass();
  });
}
