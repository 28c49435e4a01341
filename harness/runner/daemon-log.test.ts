/** Daemon log lines join the timeline: inside the run's window only, JSON only, debug left out. */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import test from 'ava';
import { mergeDaemonLog } from './daemon-log.ts';
import { Timeline } from './timeline.ts';

test('daemon log events inside the window join the timeline under the board', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'hitless-dlog-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const log = join(dir, 'rpd.log');
  const at = (ms: number) => new Date(ms).toISOString();
  writeFileSync(
    log,
    [
      JSON.stringify({ ts: at(500), level: 'info', event: 'started', pid: 1 }),
      JSON.stringify({ ts: at(1500), level: 'warn', event: 'ha-takeover', epoch: 4 }),
      JSON.stringify({ ts: at(1600), level: 'debug', event: 'noise' }),
      'hitless: a crash message that is not JSON',
      '{"broken": ',
      JSON.stringify({ ts: at(2500), level: 'info', event: 'stopped' }),
    ].join('\n'),
  );
  const tl = new Timeline(dir);
  t.is(mergeDaemonLog(log, 'rp1', tl, { from: 1000, to: 2000 }), 1);
  t.deepEqual(tl.all(), [
    {
      ts: 1500,
      source: 'rp1',
      kind: 'daemon.ha-takeover',
      detail: { level: 'warn', epoch: 4 },
      iteration: undefined,
    },
  ]);
  t.is(mergeDaemonLog(join(dir, 'missing.log'), 'rp1', tl, { from: 0, to: 1 }), 0);
});
