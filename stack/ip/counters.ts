/**
 * Per-interface counters. Every received frame ends in exactly one bucket:
 * delivered, or dropped with a reason, so rx == delivered + sum(dropped).
 */

export type RxDropReason =
  | 'eth-malformed'
  | 'eth-not-for-us'
  | 'eth-vlan-tagged'
  | 'eth-unsupported-type'
  | 'arp-malformed'
  | 'arp-not-for-us'
  | 'arp-unsupported-op'
  | 'ip-malformed'
  | 'ip-bad-checksum'
  | 'ip-fragment'
  | 'ip-not-for-us'
  | 'ip-not-owner'
  | 'ip-unsupported-protocol'
  | 'icmp-malformed'
  | 'icmp-unsupported-type'
  | 'tcp-malformed'
  | 'tcp-bad-checksum'
  | 'no-tcp-handler'
  | 'tcp-handler-error'
  | 'internal-error';

export type TxDropReason =
  | 'gated'
  | 'link-refused'
  | 'arp-unresolved'
  | 'arp-queue-full'
  | 'no-route'
  | 'link-error';

export interface CounterSnapshot {
  rx: number;
  delivered: number;
  dropped: Record<string, number>;
  droppedTotal: number;
  tx: number;
  txDropped: Record<string, number>;
  arpConflicts: number;
}

function toRecord(map: Map<string, number>): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [k, v] of [...map.entries()].sort(([a], [b]) => a.localeCompare(b))) out[k] = v;
  return out;
}

export class InterfaceCounters {
  rx = 0;
  delivered = 0;
  tx = 0;
  /** ARP from another MAC claiming our address (e.g. the mate board taking over). */
  arpConflicts = 0;
  private readonly dropped = new Map<RxDropReason, number>();
  private readonly txDropped = new Map<TxDropReason, number>();

  drop(reason: RxDropReason): void {
    this.dropped.set(reason, (this.dropped.get(reason) ?? 0) + 1);
  }

  dropTx(reason: TxDropReason, frames = 1): void {
    this.txDropped.set(reason, (this.txDropped.get(reason) ?? 0) + frames);
  }

  droppedCount(reason: RxDropReason): number {
    return this.dropped.get(reason) ?? 0;
  }

  get droppedTotal(): number {
    let n = 0;
    for (const v of this.dropped.values()) n += v;
    return n;
  }

  snapshot(): CounterSnapshot {
    return {
      rx: this.rx,
      delivered: this.delivered,
      dropped: toRecord(this.dropped),
      droppedTotal: this.droppedTotal,
      tx: this.tx,
      txDropped: toRecord(this.txDropped),
      arpConflicts: this.arpConflicts,
    };
  }
}
