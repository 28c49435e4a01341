import { PassThrough } from 'node:stream';
import test from 'ava';
import { createLinkDriver, LinkError, type LinkState } from './index.ts';

test('manual link asks the operator and confirms by observation', async (t) => {
  const input = new PassThrough();
  const output = new PassThrough();
  let shown = '';
  output.on('data', (d: Buffer) => {
    shown += d.toString();
  });
  let carrier: LinkState = 'up';
  const l = createLinkDriver({
    model: 'manual',
    cable: 'ipc',
    description: 'blue cable, port 24',
    observe: async () => carrier,
    input,
    output,
    settleTimeoutMs: 2000,
  });
  const done = l.down();
  setImmediate(() => input.write('\n'));
  setTimeout(() => {
    carrier = 'down';
  }, 300);
  await done;
  t.regex(shown, /pull cable ipc \(blue cable, port 24\)/);
  t.deepEqual(await l.status(), { admin: 'down', oper: 'down' });
});

test('manual link fails when the observed state never changes', async (t) => {
  const input = new PassThrough();
  const l = createLinkDriver({
    model: 'manual',
    cable: 'ipc',
    description: 'port 24',
    observe: async () => 'up',
    input,
    output: new PassThrough(),
    settleTimeoutMs: 300,
  });
  const done = l.down();
  setImmediate(() => input.write('\n'));
  const err = await t.throwsAsync(done, { instanceOf: LinkError });
  t.is(err?.code, 'LINK_STATE_MISMATCH');
});
