/** The engine's connections: by id, by 4-tuple, and by earliest timer deadline. */
import { type Addr, type ConnId, TcpState } from './api.ts';
import type { ResolvedOptions } from './create.ts';
import { type Tcb, tcbDeadline } from './tcb.ts';
import { TimerHeap } from './timer-heap.ts';

export interface Listener {
  port: number;
  backlog: number;
  opts: ResolvedOptions;
  /** Children in SYN-RECEIVED. */
  pending: number;
}

/** Both ports in one 32-bit number: the outer key of the 4-tuple index. */
function portsKey(localPort: number, remotePort: number): number {
  return ((remotePort << 16) | localPort) >>> 0;
}

export class ConnTable {
  readonly conns = new Map<ConnId, Tcb>();
  /** ports → remote address → id (number keys only: no string building per segment). */
  private readonly byTuple = new Map<number, Map<number, ConnId>>();
  private readonly heap = new TimerHeap();

  add(t: Tcb): void {
    this.conns.set(t.id, t);
    const key = portsKey(t.localPort, t.remotePort);
    let byAddr = this.byTuple.get(key);
    if (!byAddr) {
      byAddr = new Map();
      this.byTuple.set(key, byAddr);
    }
    byAddr.set(t.remoteAddr >>> 0, t.id);
    this.schedule(t);
  }

  drop(t: Tcb): void {
    this.conns.delete(t.id);
    const key = portsKey(t.localPort, t.remotePort);
    const byAddr = this.byTuple.get(key);
    if (byAddr?.get(t.remoteAddr >>> 0) === t.id) {
      byAddr.delete(t.remoteAddr >>> 0);
      if (byAddr.size === 0) this.byTuple.delete(key);
    }
    this.heap.forget(t.id);
  }

  lookup(localPort: number, remoteAddr: Addr, remotePort: number): ConnId | undefined {
    return this.byTuple.get(portsKey(localPort, remotePort))?.get(remoteAddr >>> 0);
  }

  /** Ids ascending (a canonical order, independent of history). */
  ids(): ConnId[] {
    return [...this.conns.keys()].sort((a, b) => a - b);
  }

  /** Make sure the timer index looks at `t` no later than its earliest deadline. */
  schedule(t: Tcb): void {
    this.heap.schedule(t.id, tcbDeadline(t));
  }

  nextDeadline(): number {
    return this.heap.peek();
  }

  /** Connections whose timers are due (index entries removed), ascending id. */
  popDue(now: number): ConnId[] {
    return this.heap.popDue(now).filter((id) => this.conns.has(id));
  }

  isDue(id: ConnId, now: number): boolean {
    const t = this.conns.get(id);
    const d = t ? tcbDeadline(t) : -1;
    return d >= 0 && d <= now;
  }

  peekDue(now: number): ConnId[] {
    return this.heap.peekDue(now).filter((id) => this.isDue(id, now));
  }

  /** Rebuild the timer index and listener counts from the connections. */
  rebuild(listeners: Map<number, Listener>): void {
    this.heap.clear();
    for (const l of listeners.values()) l.pending = 0;
    for (const id of this.ids()) {
      const t = this.conns.get(id)!;
      this.schedule(t);
      if (t.passive && t.state === TcpState.SYN_RECEIVED) {
        const l = listeners.get(t.listenPort);
        if (l) l.pending++;
      }
    }
  }
}
