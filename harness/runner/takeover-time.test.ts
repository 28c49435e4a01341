import test from 'ava';
import type { IterationRecord } from './results.ts';
import { refineTakeovers } from './takeover-time.ts';
import type { TimelineEntry } from './timeline.ts';

const rec = (over: Partial<IterationRecord>): IterationRecord => ({
  index: 1,
  kind: 'freeze-active',
  expected: 'no-drop',
  spanStart: 1000,
  spanEnd: 9000,
  inject: 2000,
  ...over,
});
const ev = (ts: number, source: string, kind: string, detail = {}, iteration?: number) =>
  ({ ts, source, kind, detail, iteration }) as TimelineEntry;

test("the daemon's own takeover time wins over a late status poll", (t) => {
  const timeline = [
    ev(1990, 'harness', 'fault.inject', { active: 'rp0' }, 1),
    ev(2100, 'rp0', 'daemon.ha-active', { reason: 'takeover' }),
    ev(2230, 'rp1', 'daemon.ha-active', { reason: 'takeover' }),
    ev(2600, 'rp1', 'ha.role', { to: 'active' }, 1),
  ];
  const r = rec({ takeover: 2600 });
  refineTakeovers([r], timeline);
  t.is(r.takeover, 2230, 'the previous active reasserting itself is not the takeover');
  const unseen = rec({});
  refineTakeovers([unseen], timeline);
  t.is(unseen.takeover, 2230, 'a takeover the polls missed is found in the log');
});

test('an election after a reboot, or a takeover outside the span, is not this fault’s takeover', (t) => {
  const timeline = [
    ev(1990, 'harness', 'fault.inject', { active: 'rp0' }, 1),
    ev(3000, 'rp1', 'daemon.ha-active', { reason: 'election' }),
    ev(9500, 'rp1', 'daemon.ha-active', { reason: 'takeover' }),
  ];
  const r = rec({});
  refineTakeovers([r], timeline);
  t.is(r.takeover, undefined);
});
