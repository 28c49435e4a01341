/**
 * Two runtimes in memory, virtual time: a bulk sync of many connections goes in slices while the
 * active keeps changing them (records, a close, a new connection); once hot, the standby holds
 * exactly the active's connections.
 */
import test from 'ava';
import { sampleVars } from '../ipc/fixtures.ts';
import type { TcpVars } from '../ipc/records.ts';
import { HaRuntime } from './ha-runtime.ts';
import { memoryIpcPair, memoryLanPair } from './memory-ports.ts';
import type { IpcPort, LanPort } from './ports.ts';

let virtualNow = 0;
const clock = () => virtualNow;
const encode = (v: TcpVars) => new TextEncoder().encode(JSON.stringify(v));
const decode = (b: Uint8Array) => JSON.parse(new TextDecoder().decode(b)) as TcpVars;

class Board {
  readonly conns = new Map<number, TcpVars>();
  readonly rt: HaRuntime<string>;
  snapshotsTaken = 0;

  constructor(slot: number, ipc: IpcPort, lan: LanPort) {
    this.rt = new HaRuntime<string>({
      node: { slot, intervalMs: 20, misses: 3 },
      ipc,
      lan,
      clock,
      bulkSlice: { connections: 50, ms: 1000, inFlight: 120 },
      hooks: {
        applyRecord: (rec) => {
          const e = rec.entry;
          if (e.kind === 'snapshot') this.conns.set(e.conn, decode(e.snapshot));
          if (e.kind === 'tcp') {
            if (!this.conns.has(e.conn)) return ['(unknown connection)'];
            this.conns.set(e.conn, e.vars);
          }
          if (e.kind === 'closed') this.conns.delete(e.conn);
          return [];
        },
        onBulkBegin: () => this.conns.clear(),
        snapshots: (conn) => {
          const ids = conn === null ? [...this.conns.keys()] : this.conns.has(conn) ? [conn] : [];
          this.snapshotsTaken += ids.length;
          return ids.map((id) => ({ conn: id, at: 0, snapshot: encode(this.conns.get(id)!) }));
        },
        ssoConnections: () => [...this.conns.keys()],
        transmit: () => {},
        onAction: () => {},
      },
    });
  }

  /** An input changed a connection: its new variables go in the log. */
  change(conn: number, sndNxt: number): void {
    const vars = { ...sampleVars, sndNxt };
    this.conns.set(conn, vars);
    this.rt.replicate({
      kind: 'tcp',
      conn,
      event: 'send',
      at: clock(),
      vars,
      detail: new Uint8Array(),
    });
  }
}

async function turns(n: number): Promise<void> {
  for (let i = 0; i < n; i++) await new Promise((r) => setImmediate(r));
}

/** Two boards on connected memory ports; `tick` moves virtual time 1 ms and runs both. */
function connectedPair() {
  const ipc = memoryIpcPair({});
  const lan = memoryLanPair();
  const a = new Board(0, ipc.ports[0], lan[0]);
  const b = new Board(1, ipc.ports[1], lan[1]);
  ipc.connect();
  const tick = async (): Promise<void> => {
    virtualNow++;
    for (const x of [a, b]) x.rt.handle(clock());
    await turns(1);
  };
  return { ipc, a, b, tick };
}

test.serial(
  'bulk sync in slices while connections change: the standby ends with exactly the active’s',
  async (t) => {
    const { a, b, tick } = connectedPair();
    for (let i = 0; i < 3000 && !(a.rt.node.sync === 'hot'); i++) await tick();
    t.is(a.rt.node.sync, 'hot');
    for (let id = 1; id <= 1000; id++) a.conns.set(id, { ...sampleVars, sndNxt: id });
    b.rt.input({ kind: 'resync-needed', reason: 'test', now: clock() });
    // The bulk sync is under way: some connections were sent, most not yet.
    for (let i = 0; i < 200 && !a.rt.bulk; i++) await tick();
    const bulk = a.rt.bulk;
    if (!bulk) return t.fail('no bulk sync started');
    t.true(bulk.remaining > 500, `only a slice went at once (${bulk.remaining} left)`);
    t.true(a.snapshotsTaken < 100, 'snapshots are taken when their turn comes');
    a.change(1, 5001); // sent already: a record
    a.change(999, 5999); // not sent yet: covered by its snapshot
    a.conns.delete(998);
    a.rt.replicate({ kind: 'closed', conn: 998, at: clock(), reason: 'orderly' });
    a.conns.set(2000, { ...sampleVars, sndNxt: 2000 }); // established during the bulk sync
    a.rt.replicate({
      kind: 'snapshot',
      conn: 2000,
      at: clock(),
      snapshot: encode(a.conns.get(2000)!),
    });
    for (let i = 0; i < 3000 && !(a.rt.node.sync === 'hot' && b.rt.node.sync === 'hot'); i++)
      await tick();
    t.is(b.rt.node.sync, 'hot');
    t.true(bulk.slices > 5, `sent in ${bulk.slices} slices`);
    t.deepEqual(
      new Map([...b.conns].sort(([x], [y]) => x - y)),
      new Map([...a.conns].sort(([x], [y]) => x - y)),
    );
    t.is(b.conns.get(999)?.sndNxt, 5999);
    t.false(b.conns.has(998));
    t.is(b.rt.status().replay.mismatches, 0);
    t.is(a.snapshotsTaken, 999, 'each connection once, the closed one never');
    // After hot, records flow as usual.
    a.change(999, 6000);
    for (let i = 0; i < 50 && b.conns.get(999)?.sndNxt !== 6000; i++) await tick();
    t.is(b.conns.get(999)?.sndNxt, 6000);
  },
);

test.serial(
  'an IPC loss in the middle of a bulk sync stops it; the next one starts afresh',
  async (t) => {
    const { ipc, a, b, tick } = connectedPair();
    for (let i = 0; i < 3000 && a.rt.node.sync !== 'hot'; i++) await tick();
    for (let id = 1; id <= 1000; id++) a.conns.set(id, { ...sampleVars, sndNxt: id });
    b.rt.input({ kind: 'resync-needed', reason: 'test', now: clock() });
    for (let i = 0; i < 200 && !a.rt.bulk; i++) await tick();
    const first = a.rt.bulk;
    t.truthy(first);
    ipc.ports[0].reset('test: link lost');
    await turns(3);
    t.is(a.rt.bulk, undefined, 'stopped with the link');
    t.true(first?.done);
    ipc.connect();
    for (let i = 0; i < 3000 && !(a.rt.node.sync === 'hot' && b.rt.node.sync === 'hot'); i++)
      await tick();
    t.is(b.rt.node.sync, 'hot');
    t.is(b.conns.size, 1000);
  },
);
