import test from 'ava';
import { loadLab } from '../lab/load.ts';
import { mgmtBridge, mgmtVethRoot } from './names.ts';
import { boardLinks, switchPorts } from './topology.ts';

test('every switch port maps to its cable ends; the IPC cable is point to point', (t) => {
  const lab = loadLab();
  const ports = switchPorts(lab);
  t.deepEqual(
    ports.map((p) => [p.ifIndex, p.cable, p.kind]),
    [
      [1, 'rp0-front', 'lan'],
      [2, 'rp1-front', 'lan'],
      [3, 'peer1', 'lan'],
      [4, 'peer2', 'lan'],
      [5, 'ipc', 'p2p'],
    ],
  );
  const ipc = ports[4];
  t.deepEqual(
    ipc?.ends.map((e) => `${e.host}:${e.ifname}@${e.switchIf}`),
    ['rp0:ipc0@sw5a', 'rp1:ipc0@sw5b'],
  );
  t.deepEqual(boardLinks(lab, 'rp1'), ['mgmt', 'lan', 'ipc0']);
});

test('root-namespace interface names fit in 15 characters for the longest prefix and host names', (t) => {
  t.true(mgmtVethRoot('abcdef', 'peer12').length <= 15);
  t.true(mgmtBridge('abcdef').length <= 15);
});
