import { PassThrough } from 'node:stream';
import test from 'ava';
import { createPowerDriver, PowerError } from './index.ts';

function operator() {
  const input = new PassThrough();
  const output = new PassThrough();
  let shown = '';
  output.on('data', (d: Buffer) => {
    shown += d.toString();
  });
  return { input, output, shown: () => shown };
}

test('manual power asks the operator and remembers the confirmed state', async (t) => {
  const op = operator();
  const p = createPowerDriver({
    model: 'manual',
    device: 'bench-strip',
    outlet: 3,
    input: op.input,
    output: op.output,
  });
  const done = p.off();
  setImmediate(() => op.input.write('\n'));
  await done;
  t.regex(op.shown(), /switch OFF outlet 3 of bench-strip/);
  t.is(await p.status(), 'off');
  const on = p.on();
  setImmediate(() => op.input.write('\n'));
  await on;
  t.is(await p.status(), 'on');
});

test('manual power fails clearly when the operator input closes', async (t) => {
  const op = operator();
  const p = createPowerDriver({
    model: 'manual',
    device: 'bench-strip',
    outlet: 1,
    input: op.input,
    output: op.output,
  });
  const done = p.on();
  setImmediate(() => op.input.end());
  const err = await t.throwsAsync(done, { instanceOf: PowerError });
  t.is(err?.code, 'POWER_OPERATOR');
});

test('a bad outlet number is refused before any SNMP traffic', (t) => {
  const err = t.throws(() =>
    createPowerDriver({
      model: 'apc-rpdu',
      device: 'pdu1',
      host: '198.18.0.1',
      community: 'x',
      outlet: 0,
    }),
  );
  t.is((err as PowerError).code, 'POWER_BAD_OPTIONS');
});
