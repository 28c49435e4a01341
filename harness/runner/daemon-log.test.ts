/** Daemon log lines join the timeline: inside the run's window only, JSON only, debug left out. */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import test from 'ava';
import { MAX_DAEMON_EVENTS, mergeDaemonLog } from './daemon-log.ts';
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

test('a log longer than the cap is cut, and the timeline says so', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'hitless-dlog-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const log = join(dir, 'rpd.log');
  const lines = Array.from({ length: MAX_DAEMON_EVENTS + 3 }, (_, i) =>
    JSON.stringify({ ts: new Date(1000 + i).toISOString(), level: 'info', event: 'tick' }),
  );
  writeFileSync(log, `${lines.join('\n')}\n`);
  const tl = new Timeline(dir);
  t.is(mergeDaemonLog(log, 'rp0', tl, { from: 0, to: 1e12 }), MAX_DAEMON_EVENTS);
  const note = tl.find('daemon-log.truncated');
  t.is(note.length, 1);
  t.like(note[0]!.detail, { board: 'rp0', kept: MAX_DAEMON_EVENTS });
  const exact = join(dir, 'exact.log');
  writeFileSync(exact, `${lines.slice(0, MAX_DAEMON_EVENTS).join('\n')}\n`);
  const tl2 = new Timeline(dir);
  mergeDaemonLog(exact, 'rp0', tl2, { from: 0, to: 1e12 });
  t.is(tl2.find('daemon-log.truncated').length, 0, 'no note when nothing was cut');
});
