/**
 * IPC codec and output-gate figures: TCP records encoded and decoded per second (with and
 * without HMAC), bulk-sync framing of 10,000 control blocks, gate submit+confirm per second.
 * Run: npm run bench:ha-ipc
 */
import os from 'node:os';
import { OutputGate } from '../log/output-gate.ts';
import { ReplayTracker } from '../log/replay-tracker.ts';
import { ReplicationLog } from '../log/replication-log.ts';
import { IpcChannel } from './channel.ts';
import { sampleVars } from './fixtures.ts';
import { memoryDuplexPair } from './memory-duplex.ts';
import { IpcSession } from './session.ts';

const cpu = os.cpus()[0]?.model ?? 'unknown cpu';
console.log(`machine: ${cpu}, ${os.cpus().length} cores, node ${process.version}`);

function time(label: string, n: number, unit: string, fn: () => number): void {
  fn(); // warm up
  const start = process.hrtime.bigint();
  const bytes = fn();
  const s = Number(process.hrtime.bigint() - start) / 1e9;
  const mb = bytes ? `, ${(bytes / s / 1e6).toFixed(1)} MB/s` : '';
  console.log(
    `${label}: ${(n / s).toFixed(0)} ${unit}/s (${(s * 1000).toFixed(1)} ms for ${n})${mb}`,
  );
}

function tcpRecords(key?: Uint8Array, n = 200_000): number {
  const log = new ReplicationLog(1);
  const tx = new IpcSession({ key });
  const rx = new IpcSession({ key });
  let bytes = 0;
  let got = 0;
  const batch: Uint8Array[] = [];
  for (let i = 0; i < n; i++) {
    const rec = log.append({
      kind: 'tcp',
      conn: i & 1023,
      event: 'segment',
      at: i,
      header: { seq: i, ack: i, flags: 0x10, window: 512, length: 1448 },
      vars: sampleVars,
      detail: new Uint8Array(0),
    });
    batch.push(tx.encode(rec));
    if (batch.length === 64) {
      const chunk = Buffer.concat(batch);
      bytes += chunk.length;
      got += rx.receive(chunk).records.length;
      batch.length = 0;
    }
  }
  if (got !== n - (n % 64)) throw new Error(`decoded ${got} of ${n}`);
  return bytes;
}

function bulk(n = 10_000, size = 400): number {
  const log = new ReplicationLog(1);
  const tx = new IpcSession();
  const rx = new IpcSession();
  const snapshot = new Uint8Array(size).fill(1);
  let bytes = 0;
  let got = 0;
  for (let i = 0; i < n; i++) {
    const frame = tx.encode(log.append({ kind: 'snapshot', conn: i, at: 0, snapshot }));
    bytes += frame.length;
    got += rx.receive(frame).records.length;
  }
  if (got !== n) throw new Error('bulk decode lost records');
  return bytes;
}

function gate(n = 1_000_000): number {
  const g = new OutputGate<number>();
  g.setWaiting(true, 0);
  let released = 0;
  for (let i = 1; i <= n; i++) {
    g.submit(i, i, 0);
    if (i % 16 === 0) released += g.confirm(i, 0).length;
  }
  if (released !== n) throw new Error('gate lost outputs');
  return 0;
}

time('TCP records encode+decode, no key', 200_000, 'records', () => tcpRecords());
time('TCP records encode+decode, HMAC-SHA256', 200_000, 'records', () =>
  tcpRecords(new Uint8Array(32).fill(7)),
);
time('bulk sync framing, 10,000 control blocks of 400 bytes', 10_000, 'blocks', () => bulk());
time('output gate submit+confirm (batches of 16)', 1_000_000, 'outputs', () => gate());

/** Active -> standby over an in-memory duplex: pipelined records, batched confirmations. */
async function pipelined(n = 100_000): Promise<void> {
  const [a, b] = memoryDuplexPair();
  const key = new Uint8Array(32).fill(1);
  const active = new IpcChannel(a, { key, window: { maxRecords: 1024, maxBytes: 1 << 22 } });
  const standby = new IpcChannel(b, { key });
  const tracker = new ReplayTracker(1);
  let pending = false;
  standby.on('record', (rec) => {
    if (rec.type !== 'log') return;
    tracker.markApplied(rec.index);
    if (!pending) {
      pending = true;
      setImmediate(() => {
        pending = false;
        const c = tracker.confirmation();
        if (c) standby.send(c);
      });
    }
  });
  const log = new ReplicationLog(1);
  const sentAt = new Map<number, number>();
  const rtts: number[] = [];
  let done: () => void = () => {};
  const finished = new Promise<void>((r) => {
    done = r;
  });
  active.on('record', (rec) => {
    if (rec.type !== 'confirm') return;
    const t = performance.now();
    for (let i = log.confirmedIndex + 1; i <= rec.index; i++) {
      rtts.push(t - sentAt.get(i)!);
      sentAt.delete(i);
    }
    log.confirm(rec.index);
    if (rec.index === n) done();
  });
  const pump = () => {
    while (log.lastIndex < n && active.canSend()) {
      const rec = log.append({
        kind: 'tcp',
        conn: 1,
        event: 'send',
        at: 0,
        vars: sampleVars,
        detail: new Uint8Array(0),
      });
      sentAt.set(rec.index, performance.now());
      active.send(rec);
    }
  };
  active.on('drain', pump);
  const start = performance.now();
  pump();
  await finished;
  const s = (performance.now() - start) / 1000;
  rtts.sort((x, y) => x - y);
  const pct = (p: number) =>
    rtts[Math.min(rtts.length - 1, Math.floor(p * rtts.length))]!.toFixed(2);
  console.log(
    `pipelined channel (HMAC, window 1024, in-memory): ${(n / s).toFixed(0)} records/s; send->confirm p50 ${pct(0.5)} ms, p99 ${pct(0.99)} ms`,
  );
}
await pipelined();
