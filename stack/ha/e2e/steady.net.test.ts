/**
 * No fault at all: a hot pair carrying traffic must never switch over nor open two fronts
 * while the boards' event loops are busy: heartbeats run on a thread of their own
 * (stack/ha/heartbeat/beat-worker.ts), so the main loops' pauses neither delay them nor fake
 * silence. The suite runs it at 20 ms × 3 (60 ms detection): on a 2-core machine that also
 * runs the rest of the suite, whole-process stalls of 50–200 ms happen and no detection time
 * under them can tell such a stall from a death. HITLESS_STEADY_HB="10x3" runs it at the
 * 30 ms of the config example (it holds on a moderately loaded 2-core machine).
 * The mate is dead only when both paths are silent, so nothing may switch over; and at no
 * sampled moment may both boards have their front open for the chassis address.
 */
import { agentErrors, type Json, servedPair, stopAgent } from './chassis.fixture.ts';
import { haNetTest } from './net-test.fixture.ts';

const [hbInterval, hbMisses] = (process.env.HITLESS_STEADY_HB ?? '20x3').split('x').map(Number);
const HB = { intervalMs: hbInterval ?? 20, misses: hbMisses ?? 3 };

const PREFIX = `hle2h${process.pid}`;
const QUIET = new Set([
  'ha-hot',
  'ha-active',
  'ha-standby',
  'ha-ipc-up',
  'ha-bulk-sync-sent',
  'ha-standby-is-hot',
]);

haNetTest(
  `steady traffic, heartbeat ${HB.intervalMs} ms × ${HB.misses}: no switchover without a fault, never two fronts open`,
  async (t) => {
    t.timeout(80_000);
    const { ch, agent } = await servedPair(t.teardown, {
      prefix: PREFIX,
      subnet: 76,
      heartbeat: HB,
      connections: 10,
      rateKbps: 2000,
      firstProgress: 16 * 1024,
    });
    const samples: { a: Json; s: Json }[] = [];
    const end = Date.now() + 8000; // an observation window: 8 s of traffic with no fault
    while (Date.now() < end) {
      samples.push({ a: await ch.ha(0), s: await ch.ha(1) });
      await new Promise((r) => setTimeout(r, 20));
    }
    const view = (h: Json) => `${h.role}/e${h.epoch}/${h.sync}/front=${h.front}`;
    const unusual = ch.boards
      .flatMap((b) =>
        (b?.lines ?? [])
          .filter((l) => String(l.event).startsWith('ha-') && !QUIET.has(String(l.event)))
          .slice(0, 12),
      )
      .filter((l) => String(l.event).startsWith('ha-') && !QUIET.has(String(l.event)))
      .map(
        (l) =>
          `${l.ts} slot ${l.slot} ${l.event} ${JSON.stringify({ ...l, ts: undefined, level: undefined, event: undefined, slot: undefined })}`,
      );
    if (unusual.length > 0) t.log(unusual.join('\n'));
    t.deepEqual(
      samples
        .filter((x) => x.a.front === true && x.s.front === true)
        .map((x) => [view(x.a), view(x.s)])
        .slice(0, 3),
      [],
      'both boards had their front open at the same time',
    );
    t.deepEqual(
      samples
        .filter((x) => x.a.role !== 'active' || x.a.epoch !== 1)
        .map((x) => [view(x.a), view(x.s)])
        .slice(0, 3),
      [],
      'a switchover happened without any fault',
    );
    await stopAgent(agent);
    t.deepEqual(agentErrors(agent), []);
  },
);
