/** Where each record arriving over IPC goes: role machine, replay, log confirmations. */
import type { IpcRecord } from '../ipc/records.ts';
import type { HaRuntime } from './ha-runtime.ts';

export function routeRecord<Out>(rt: HaRuntime<Out>, rec: IpcRecord, now: number): void {
  switch (rec.type) {
    case 'heartbeat': {
      // With a heartbeat thread, liveness comes from it alone (a record has no timeout there).
      if (rt.node.cfg.reportedLiveness) return;
      const { type: _type, ...hb } = rec;
      rt.input({ kind: 'heartbeat', path: 'ipc', hb, now });
      return;
    }
    case 'hello': {
      const { type: _type, ...hello } = rec;
      rt.input({ kind: 'hello', hello, now });
      return;
    }
    case 'log':
      replay(rt, rec, now);
      return;
    case 'confirm': {
      if (rt.node.role !== 'active') return;
      rt.log.confirm(rec.index, rec.epoch);
      const released = rt.gate.confirm(rt.log.confirmedIndex, now);
      if (released.length) rt.hooks.transmit(released);
      rt.bulkRoom();
      if (rt.bulkEndIndex !== undefined && rt.log.confirmedIndex >= rt.bulkEndIndex) {
        rt.bulkEndIndex = undefined;
        rt.input({ kind: 'bulk-sync-done', now });
      }
      if (rt.node.handover?.phase === 'draining' && rt.log.drained)
        rt.input({ kind: 'log-drained', now });
      return;
    }
    case 'bulk-begin':
      if (rt.node.role !== 'standby') return;
      rt.tracker.bulkBegin(rec.baseIndex, rec.connections, rec.epoch);
      rt.hooks.onBulkBegin();
      rt.input({ kind: 'bulk-sync-begun', now });
      return;
    case 'bulk-end':
      if (rt.node.role !== 'standby') return;
      if (rt.tracker.bulkEnd(rec.lastIndex)) {
        rt.input({ kind: 'bulk-sync-done', now });
        // Always answered, even an empty bulk sync: the active turns hot on this confirmation.
        rt.send({ type: 'confirm', epoch: rt.tracker.epoch, index: rt.tracker.lastApplied });
      } else rt.input({ kind: 'resync-needed', reason: 'bulk sync incomplete', now });
      return;
    case 'switchover':
      rt.input({
        kind: 'switchover',
        phase: rec.phase,
        epoch: rec.epoch,
        upToDate: rt.tracker.lastApplied === rec.lastIndex,
        now,
      });
      return;
    case 'resync-request': {
      if (rt.node.role !== 'active') return;
      if (rec.conn === null) {
        rt.bulkSync();
        return;
      }
      for (const s of rt.hooks.snapshots(rec.conn)) rt.replicate({ kind: 'snapshot', ...s });
      return;
    }
  }
}

function replay<Out>(
  rt: HaRuntime<Out>,
  rec: Extract<IpcRecord, { type: 'log' }>,
  now: number,
): void {
  if (rt.node.role !== 'standby') return;
  const admission = rt.tracker.admit(rec);
  if (admission.verdict === 'gap') {
    rt.input({ kind: 'resync-needed', reason: admission.request.reason, now });
    return;
  }
  if (admission.verdict !== 'apply') return;
  const differing = rt.hooks.applyRecord(rec);
  rt.tracker.markApplied(rec.index);
  if (differing.length > 0 && rec.entry.kind === 'tcp')
    rt.send(rt.tracker.mismatch(rec.entry.conn, differing));
  rt.scheduleConfirm();
}
