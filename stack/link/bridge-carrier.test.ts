import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import test from 'ava';
import { bridgeCarrier } from './bridge-carrier.ts';

/** A fake /sys/class/net: a bridge with ports, each with a carrier file (or none: link down). */
function sysfs(ports: Record<string, '0' | '1' | null>): string {
  const root = mkdtempSync(join(tmpdir(), 'hl-sysfs-'));
  mkdirSync(join(root, 'br0', 'brif'), { recursive: true });
  for (const [name, carrier] of Object.entries(ports)) {
    mkdirSync(join(root, 'br0', 'brif', name));
    mkdirSync(join(root, name));
    if (carrier !== null) writeFileSync(join(root, name, 'carrier'), `${carrier}\n`);
  }
  return root;
}

test('the outside carrier: any port but our TAP with carrier', (t) => {
  const cases: [Record<string, '0' | '1' | null>, boolean | undefined][] = [
    [{ hl0: '1', eth0: '1' }, true],
    [{ hl0: '1', eth0: '0' }, false],
    [{ hl0: '1', eth0: null }, false], // admin down: the read fails
    [{ hl0: '1', eth0: '0', eth1: '1' }, true],
    [{ hl0: '1' }, undefined], // nothing but our own TAP: nothing to judge
  ];
  for (const [ports, want] of cases) {
    const root = sysfs(ports);
    t.teardown(() => rmSync(root, { recursive: true, force: true }));
    t.is(bridgeCarrier('br0', 'hl0', root)(), want, JSON.stringify(ports));
  }
  const empty = sysfs({});
  t.teardown(() => rmSync(empty, { recursive: true, force: true }));
  t.is(bridgeCarrier('nobridge', 'hl0', empty)(), undefined);
});
