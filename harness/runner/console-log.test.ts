import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import test from 'ava';
import { mergeConsoleLog } from './console-log.ts';
import { Timeline } from './timeline.ts';

test('console lines go on the timeline with their own time; blank and unstamped lines do not', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'hlcon-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const file = join(dir, 'rp0-console.log');
  writeFileSync(
    file,
    [
      '2026-11-27T06:50:13.999Z --- console rp0 open /run/x ---',
      '2026-11-27T06:50:28.565Z ',
      '2026-11-27T06:50:28.605Z [    0.041] net: mgmt up\r',
      'garbage without a time',
      '',
    ].join('\n'),
  );
  const tl = new Timeline(dir);
  t.is(mergeConsoleLog(file, 'rp0', tl), 2);
  const all = tl.all();
  t.deepEqual(
    all.map((e) => [e.source, e.kind, e.detail.line, e.ts]),
    [
      ['rp0', 'console', '--- console rp0 open /run/x ---', Date.parse('2026-11-27T06:50:13.999Z')],
      ['rp0', 'console', '[    0.041] net: mgmt up', Date.parse('2026-11-27T06:50:28.605Z')],
    ],
  );
  t.is(mergeConsoleLog(join(dir, 'missing.log'), 'rp1', tl), 0);
});
