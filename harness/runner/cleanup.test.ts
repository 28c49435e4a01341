/**
 * The clean-up stack: actions undone last first, each once, a failure never
 * stopping the others; the first signal stops the run, a signal after the
 * clean-up (nothing left to heal) exits 2 at once.
 */
import test from 'ava';
import { Cleanup } from './cleanup.ts';

test.serial(
  'actions run last first, once, past a failure; the first signal stops the run',
  async (t) => {
    const lines: string[] = [];
    const stopped: string[] = [];
    const c = new Cleanup(
      (l) => lines.push(l),
      (s) => stopped.push(s),
    );
    c.trapSignals();
    t.teardown(() => c.dispose());
    const order: string[] = [];
    c.add('heal', async () => {
      order.push('heal');
    });
    c.add('broken', async () => {
      throw new Error('no answer');
    });
    const remove = c.add('never', async () => {
      order.push('never');
    });
    c.add('stop agents', async () => {
      order.push('stop agents');
    });
    remove();
    process.emit('SIGINT', 'SIGINT');
    t.deepEqual(stopped, ['SIGINT']);
    t.true(c.wasInterrupted);
    await Promise.all([c.runAll(), c.runAll()]);
    t.deepEqual(order, ['stop agents', 'heal']);
    t.true(lines.some((l) => /clean-up 'broken' failed: no answer/.test(l)));
  },
);

test.serial('a signal after the clean-up exits 2 at once', async (t) => {
  const lines: string[] = [];
  const c = new Cleanup((l) => lines.push(l));
  c.trapSignals();
  t.teardown(() => c.dispose());
  await c.runAll();
  const exit = process.exit;
  let code: number | string | null | undefined;
  process.exit = ((n?: number | string | null) => {
    code = n;
  }) as typeof process.exit;
  try {
    process.emit('SIGINT', 'SIGINT');
  } finally {
    process.exit = exit;
  }
  t.is(code, 2);
  t.regex(lines.at(-1) ?? '', /healed .* without results/);
});
