/**
 * The records of a planned switchover reach the mate in the order the role machine decided
 * them, even when carrying out an action feeds the runtime again at once (the daemon's event
 * loop runs the runtime's timer when a hook pokes it). A commit that overtook its prepare made
 * the new active hand mastership straight back.
 */
import test from 'ava';
import type { IpcRecord } from '../ipc/records.ts';
import type { HaAction } from '../roles/types.ts';
import { HaRuntime } from './ha-runtime.ts';
import { memoryIpcPair, memoryLanPair } from './memory-ports.ts';
import type { IpcPort, LanPort } from './ports.ts';

let virtualNow = 0;
const clock = () => virtualNow;

function runtime(slot: number, ipc: IpcPort, lan: LanPort, onAction: (a: HaAction) => void) {
  const rt: HaRuntime<string> = new HaRuntime<string>({
    node: { slot, intervalMs: 20, misses: 3 },
    ipc,
    lan,
    clock,
    hooks: {
      applyRecord: () => [],
      onBulkBegin: () => {},
      snapshots: () => [],
      transmit: () => {},
      onAction,
    },
  });
  return rt;
}

test('a hook that re-enters the runtime cannot make the commit overtake the prepare', async (t) => {
  const ipc = memoryIpcPair({});
  const lan = memoryLanPair();
  const a: HaRuntime<string> = runtime(0, ipc.ports[0], lan[0], (act) => {
    // What the daemon's loop.poke() does on this action: run the runtime's timed entry.
    if (act.kind === 'pause-inputs' && act.paused) a.handle(clock());
  });
  const b = runtime(1, ipc.ports[1], lan[1], () => {});
  const seenByB: string[] = [];
  ipc.ports[1].on('record', (r: IpcRecord) => {
    if (r.type === 'switchover') seenByB.push(`${r.phase}@${r.epoch}`);
  });
  ipc.connect();
  const turn = async (): Promise<void> => {
    virtualNow++;
    a.handle(clock());
    b.handle(clock());
    for (let i = 0; i < 3; i++) await new Promise((r) => setImmediate(r));
  };
  for (let i = 0; i < 3000 && !(a.node.sync === 'hot' && b.node.sync === 'hot'); i++) await turn();
  t.is(b.node.sync, 'hot');
  a.requestSwitchover();
  for (let i = 0; i < 500 && !(b.node.role === 'active' && !a.node.handover); i++) await turn();
  t.deepEqual(seenByB.slice(0, 2), ['prepare@1', 'commit@2']);
  t.is(b.node.role, 'active');
  t.is(a.node.role, 'standby');
  // And it stays so: nothing asks for the way back.
  for (let i = 0; i < 100; i++) await turn();
  t.is(b.node.role, 'active');
  t.is(b.node.epoch, 2);
  t.is(a.node.handovers.started, 1);
  t.is(b.node.handovers.started, 0);
});
