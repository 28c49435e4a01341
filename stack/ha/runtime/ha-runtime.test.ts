import test from 'ava';
import type { UdpHeartbeat } from '../heartbeat/udp-heartbeat.ts';
import { sampleVars } from '../ipc/fixtures.ts';
import type { IpcNodeLink } from '../ipc/node-link.ts';
import type { TcpVars } from '../ipc/records.ts';
import type { HaAction } from '../roles/types.ts';
import { HaRuntime } from './ha-runtime.ts';
import { memoryIpcPair, memoryLanPair } from './memory-ports.ts';
import type { IpcPort, LanPort } from './ports.ts';

// The Node adapters fit the ports the runtime takes.
const fits: [(l: IpcNodeLink) => IpcPort, (u: UdpHeartbeat) => LanPort] = [(l) => l, (u) => u];
void fits;

// Virtual time: advanced only by `until`, so a loaded machine cannot fake a silent mate.
let virtualNow = 0;
const clock = () => virtualNow;
const encode = (v: TcpVars) => new TextEncoder().encode(JSON.stringify(v));
const decode = (b: Uint8Array) => JSON.parse(new TextDecoder().decode(b)) as TcpVars;

/** A stand-in engine: connection variables by id; `diverge` makes the replay disagree once. */
class Board {
  readonly conns = new Map<number, TcpVars>();
  readonly sent: string[] = [];
  readonly actions: HaAction[] = [];
  diverge = new Set<number>();
  rt: HaRuntime<string>;
  alive = true;

  constructor(slot: number, ipc: IpcPort, lan: LanPort) {
    this.rt = new HaRuntime<string>({
      node: { slot, intervalMs: 20, misses: 3, alarmTimeoutMs: 200 },
      ipc,
      lan,
      clock,
      hooks: {
        applyRecord: (rec) => {
          const e = rec.entry;
          if (e.kind === 'snapshot') this.conns.set(e.conn, decode(e.snapshot));
          if (e.kind !== 'tcp') return [];
          this.conns.set(e.conn, e.vars);
          if (this.diverge.delete(e.conn)) return ['sndNxt'];
          return [];
        },
        onBulkBegin: () => this.conns.clear(),
        snapshots: (conn) =>
          [...this.conns]
            .filter(([id]) => conn === null || id === conn)
            .map(([id, v]) => ({ conn: id, at: 0, snapshot: encode(v) })),
        transmit: (outs) => this.sent.push(...outs.map((o) => o.output)),
        onAction: (a) => this.actions.push(a),
      },
    });
  }
}

/** Steps virtual time by 1 ms, letting in-memory deliveries run in between. */
async function until(boards: Board[], cond: () => boolean, virtualMs = 3000): Promise<void> {
  const end = virtualNow + virtualMs;
  while (!cond()) {
    if (virtualNow > end) throw new Error(`condition not met within ${virtualMs} virtual ms`);
    virtualNow++;
    for (const b of boards) if (b.alive) b.rt.handle(clock());
    for (let i = 0; i < 3; i++) await new Promise((r) => setImmediate(r));
  }
}

function pair() {
  const ipc = memoryIpcPair({ key: new Uint8Array(16).fill(4) });
  const lan = memoryLanPair();
  const a = new Board(0, ipc.ports[0], lan[0]);
  const b = new Board(1, ipc.ports[1], lan[1]);
  ipc.connect();
  return { a, b, ipc, lan };
}

test.serial(
  'bulk sync, replicated records, outputs released after confirmation, takeover continues the log',
  async (t) => {
    const { a, b, ipc, lan } = pair();
    const boards = [a, b];
    await until(boards, () => a.rt.node.role === 'active' && b.rt.node.role === 'standby');
    for (const id of [1, 2, 3]) a.conns.set(id, { ...sampleVars, sndNxt: id });
    // Connections existed before the standby joined: a resync brings them over.
    b.rt.input({ kind: 'resync-needed', reason: 'test', now: clock() });
    await until(boards, () => b.rt.node.sync === 'hot' && a.rt.node.sync === 'hot');
    t.deepEqual([...b.conns.keys()].sort(), [1, 2, 3]);
    t.true(a.rt.node.commitWait);

    for (let i = 1; i <= 50; i++) {
      const vars = { ...sampleVars, sndNxt: 1000 + i };
      a.conns.set(1, vars);
      const index = a.rt.replicate({
        kind: 'tcp',
        conn: 1,
        event: 'send',
        at: i,
        vars,
        detail: new Uint8Array(),
      });
      a.rt.submit(`segment ${i}`, index);
    }
    t.true(a.sent.length < 50, 'outputs wait for the confirmation');
    await until(boards, () => a.sent.length === 50);
    t.deepEqual(
      a.sent,
      Array.from({ length: 50 }, (_, i) => `segment ${i + 1}`),
    );
    t.is(b.conns.get(1)?.sndNxt, 1050);
    t.deepEqual(a.rt.status().lag, { records: 0, bytes: 0 });

    // A replay that disagrees is counted and that connection is resent as a snapshot.
    b.diverge.add(2);
    const idx = a.rt.replicate({
      kind: 'tcp',
      conn: 2,
      event: 'timer',
      at: 60,
      vars: { ...sampleVars, sndNxt: 2 },
      detail: new Uint8Array(),
    });
    await until(boards, () => b.rt.tracker.lastApplied > idx);
    t.is(b.rt.status().replay.mismatches, 1);
    t.is(b.rt.tracker.mismatchesOf(2), 1);

    // The active dies: power cut, both paths silent. The hot standby takes over at epoch 2
    // and numbers its log on from what it applied.
    a.alive = false;
    ipc.ports[0].cut = true;
    ipc.ports[1].cut = true;
    lan[0].up = false;
    const applied = b.rt.tracker.lastApplied;
    await until([b], () => b.rt.node.role === 'active');
    t.is(b.rt.node.epoch, 2);
    t.is(b.rt.log.lastIndex, applied);
    t.truthy(b.actions.find((x) => x.kind === 'become-active' && x.reason === 'takeover'));
    t.true(b.rt.node.front);
  },
);

test.serial(
  'planned switchover through the runtime: drained log, roles swap, nothing held',
  async (t) => {
    const { a, b } = pair();
    const boards = [a, b];
    await until(boards, () => b.rt.node.sync === 'hot' && a.rt.node.sync === 'hot');
    for (let i = 1; i <= 10; i++) {
      const index = a.rt.replicate({ kind: 'app', conn: 1, data: new Uint8Array([i]) });
      a.rt.submit(`out ${i}`, index);
    }
    a.rt.requestSwitchover();
    await until(
      boards,
      () => b.rt.node.role === 'active' && a.rt.node.role === 'standby' && !a.rt.node.handover,
    );
    t.is(a.sent.length, 10, 'every held output went out before the hand-over');
    t.is(b.rt.node.epoch, 2);
    t.is(a.rt.node.epoch, 2);
    t.is(b.rt.log.lastIndex, a.rt.tracker.lastApplied);
    // The new active replicates to the old one, which confirms.
    const index = b.rt.replicate({ kind: 'app', conn: 1, data: new Uint8Array([99]) });
    b.rt.submit('after', index);
    await until(boards, () => b.sent.includes('after'));
    t.is(a.rt.tracker.lastApplied, index);
  },
);
