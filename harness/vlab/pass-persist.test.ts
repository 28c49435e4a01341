import test from 'ava';
import { buildMib, type Equipment } from './mib.ts';
import { PassPersistSession } from './pass-persist.ts';

function fakeEquipment() {
  const on = new Map([
    [1, true],
    [2, true],
  ]);
  const admin = new Map([
    [1, true],
    [10, true],
  ]);
  const actions: string[] = [];
  const eq: Equipment = {
    outlets: [1, 2],
    outletOn: (n) => on.get(n) ?? false,
    outletPending: () => undefined,
    outletName: (n) => `rp${n - 1}`,
    power: (n, a, d) => {
      actions.push(`outlet ${n} ${a}${d ? ` after ${d}s` : ''}`);
      on.set(n, a !== 'off');
    },
    ports: [
      { ifIndex: 1, ifName: 'ge-0/0/1', cable: 'rp0-front' },
      { ifIndex: 10, ifName: 'ge-0/0/24', cable: 'ipc' },
    ],
    portAdminUp: (i) => admin.get(i) ?? false,
    portOperUp: (i) => admin.get(i) ?? false,
    setPortAdmin: (i, up) => {
      actions.push(`port ${i} ${up ? 'up' : 'down'}`);
      admin.set(i, up);
    },
  };
  return { eq, actions };
}

function session() {
  const { eq, actions } = fakeEquipment();
  let out = '';
  const s = new PassPersistSession(
    buildMib(eq),
    (text) => {
      out += text;
    },
    ['.1.3.6.1.4.1.318', '.1.3.6.1.2.1.2.2', '.1.3.6.1.2.1.31.1.1'],
  );
  const send = (...lines: string[]) => {
    out = '';
    for (const l of lines) s.line(l);
    return out;
  };
  return { send, actions };
}

test('PING, get and a missing OID', (t) => {
  const { send } = session();
  t.is(send('PING'), 'PONG\n');
  t.is(
    send('get', '.1.3.6.1.4.1.318.1.1.4.4.2.1.3.1'),
    '.1.3.6.1.4.1.318.1.1.4.4.2.1.3.1\ninteger\n1\n',
  );
  t.is(
    send('get', '.1.3.6.1.2.1.31.1.1.1.1.10'),
    '.1.3.6.1.2.1.31.1.1.1.1.10\nstring\nge-0/0/24\n',
  );
  t.is(send('get', '.1.3.6.1.4.1.318.1.1.4.4.2.1.3.9'), 'NONE\n');
});

test('getnext walks in numeric OID order (.2 before .10) and ends with NONE', (t) => {
  const { send } = session();
  t.is(send('getnext', '.1.3.6.1.2.1.2.2.1.7'), '.1.3.6.1.2.1.2.2.1.7.1\ninteger\n1\n');
  t.is(send('getnext', '.1.3.6.1.2.1.2.2.1.7.1'), '.1.3.6.1.2.1.2.2.1.7.10\ninteger\n1\n');
  t.regex(send('getnext', '.1.3.6.1.2.1.2.2.1.7.10'), /^\.1\.3\.6\.1\.2\.1\.2\.2\.1\.8\.1\n/);
  t.is(
    send('getnext', '.1.3.6.1.2.1.31.1.1.1.18.10'),
    'NONE\n',
    'the walk stays inside the ifXTable subtree',
  );
  t.is(send('getnext', '.1.3.6.1.2.1.2.2.1.8.10'), 'NONE\n');
});

test('sets act on the equipment; the blank line after a set is ignored; bad sets are refused', (t) => {
  const { send, actions } = session();
  t.is(send('set', '.1.3.6.1.4.1.318.1.1.4.4.2.1.3.1', 'integer 2', ''), 'DONE\n');
  t.is(send('get', '.1.3.6.1.4.1.318.1.1.4.4.2.1.3.1').split('\n')[2], '2');
  t.is(send('set', '.1.3.6.1.4.1.13742.6.4.1.2.1.2.1.2', 'integer 2', ''), 'DONE\n');
  t.is(send('set', '.1.3.6.1.2.1.2.2.1.7.10', 'integer 2', ''), 'DONE\n');
  t.is(send('set', '.1.3.6.1.4.1.534.6.6.7.6.6.1.4.0.1', 'integer 5', ''), 'DONE\n');
  t.deepEqual(actions, ['outlet 1 off', 'outlet 2 cycle', 'port 10 down', 'outlet 1 on after 5s']);
  t.is(send('set', '.1.3.6.1.4.1.318.1.1.4.4.2.1.3.1', 'integer 7'), 'wrong-value\n');
  t.is(send('set', '.1.3.6.1.4.1.318.1.1.4.4.2.1.3.1', 'string on'), 'wrong-type\n');
  t.is(send('set', '.1.3.6.1.2.1.2.2.1.8.1', 'integer 2'), 'not-writable\n');
  t.is(send('set', '.1.3.6.1.9', 'integer 2'), 'not-writable\n');
  t.is(actions.length, 4);
  t.is(send('bogus'), 'NONE\n');
  t.is(send('PING'), 'PONG\n');
});
