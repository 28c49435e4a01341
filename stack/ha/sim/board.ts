/**
 * One route-processor board in the simulation: active (engine behind the SSO replicator, log,
 * output gate) or standby (replayer, replay tracker), with its own clock (virtual time + skew),
 * its IP interface on the shared front LAN, and the IPC wire to its mate.
 */
import { IpInterface } from '../../ip/interface.ts';
import type { ConnId, TcpInput, TcpOutput, TcpSegment } from '../../tcp/api.ts';
import { TcpEngine } from '../../tcp/engine.ts';
import type { IpcRecord, LogEntry } from '../ipc/records.ts';
import { OutputGate } from '../log/output-gate.ts';
import { ReplayTracker } from '../log/replay-tracker.ts';
import { ReplicationLog } from '../log/replication-log.ts';
import { Replayer } from '../replication/replayer.ts';
import { type HandleResult, SsoReplicator } from '../replication/replicator.ts';
import type { BoardConfig } from './board-config.ts';
import { ChassisApps, chassisStream, ECHO_PORT, PEER_PORT, STREAM_PORT } from './chassis-apps.ts';
import { Crash, recordKind } from './crash-point.ts';
import { IpcWire } from './ipc-wire.ts';
import { patternBytes } from './pattern.ts';

export type { BoardConfig } from './board-config.ts';
export type { CrashPoint } from './crash-point.ts';

type Seg = { dst: number; segment: TcpSegment };

export class Board {
  role: 'active' | 'standby' | 'dead';
  /** Active: the standby confirmed bulk sync. Standby: bulk sync applied. */
  hot = false;
  readonly engine: TcpEngine;
  readonly ip: IpInterface;
  readonly apps: ChassisApps;
  private readonly wire: IpcWire;
  replicator: SsoReplicator;
  readonly replayer: Replayer;
  private log = new ReplicationLog(1);
  private gate = new OutputGate<Seg>();
  private readonly tracker = new ReplayTracker(1);
  private replicating = false;
  private bulkEndIndex = -1;
  private crashCount = 0;
  private lastHeard = -1;
  private nextHeartbeat = 0;
  private nextResync = 0;
  private resyncTurn = 0;
  crashedAt = -1;
  tookOverAt = -1;
  resyncRequests = 0;
  takenOver = 0;
  readonly ipcErrors: string[] = [];
  heldMax = 0;

  constructor(
    private readonly cfg: BoardConfig,
    role: 'active' | 'standby',
    now: number,
  ) {
    this.role = role;
    this.engine = new TcpEngine({
      localAddr: cfg.chassisAddr,
      isnSecret: new Uint8Array(16).fill(42),
      // Longer than the peer's FIN retransmissions (RTO backoff) at the loss rates simulated.
      msl2Ms: 10_000,
      finWait2TimeoutMs: 20_000,
    });
    this.ip = new IpInterface(
      { address: cfg.chassisAddr, prefixLength: 24, mac: cfg.chassisMac },
      (f) => {
        cfg.frontSend(this, f);
        return true;
      },
    );
    this.ip.setOwner(role === 'active');
    this.ip.onTcp((pkt, t) =>
      this.guard(() =>
        this.input({ kind: 'segment', now: t, src: pkt.src, dst: pkt.dst, segment: pkt.segment }),
      ),
    );
    this.replicator = new SsoReplicator(this.engine, {
      replicate: (e) => this.replicate(e),
      replicating: () => this.replicating && this.hot,
      resolved: (index) => this.transmit(this.gate.resolve(index, this.nowLocal), this.nowLocal),
    });
    this.replicator.listen({ kind: 'listen', now, port: ECHO_PORT, backlog: 64 }, {});
    this.replicator.listen(
      { kind: 'listen', now, port: STREAM_PORT, backlog: 64 },
      { regenerable: true },
    );
    this.replayer = new Replayer(this.engine, (_c, info, offset, length) => {
      const s = chassisStream(info);
      if (!s)
        throw new Error(`connection ${info.localPort}->${info.remotePort} is not regenerable`);
      return patternBytes(s.seed, offset, length);
    });
    this.apps = new ChassisApps({
      send: (conn, bytes) => this.input({ kind: 'send', now: this.nowLocal, conn, bytes }),
      consume: (conn, n) => this.input({ kind: 'consume', now: this.nowLocal, conn, n }),
      shutdown: (conn) => this.input({ kind: 'shutdown', now: this.nowLocal, conn }),
      info: (conn) => this.engine.info(conn),
    });
    this.wire = new IpcWire(
      cfg.ipc,
      (rec) => this.guard(() => this.ipcRecord(rec)),
      (reason) => this.ipcErrors.push(reason),
      () => cfg.ipcCut.cut,
    );
    if (role === 'standby')
      this.wire.send({
        type: 'hello',
        slot: 1,
        role: 'standby',
        epoch: 1,
        sync: 'cold',
        lastIndex: 0,
        wantBulkSync: true,
      });
  }

  private nowLocal = 0;

  /** One step of virtual time. */
  tick(vnow: number): void {
    this.guard(() => {
      const now = vnow + this.cfg.skewMs;
      this.nowLocal = now;
      this.ip.handle(now);
      if (this.role === 'standby') {
        if (
          this.hot &&
          this.lastHeard >= 0 &&
          now - this.lastHeard > this.cfg.heartbeatMs * this.cfg.misses
        )
          this.takeover(now);
        return;
      }
      if (now >= this.nextHeartbeat && this.replicating) {
        this.nextHeartbeat = now + this.cfg.heartbeatMs;
        this.wire.send({
          type: 'heartbeat',
          slot: 0,
          role: 'active',
          epoch: 1,
          sync: this.hot ? 'hot' : 'syncing',
          counter: 0,
          sentAt: now,
        });
      }
      while (this.cfg.opens.length > 0 && this.cfg.opens[0]![0] <= vnow) {
        const [, localPort] = this.cfg.opens.shift()!;
        const r = this.replicator.connect(
          { kind: 'connect', now, localPort, remoteAddr: this.cfg.peerAddr, remotePort: PEER_PORT },
          { regenerable: true },
        );
        this.dispatch(r, now);
      }
      const d = this.engine.nextDeadline();
      if (d >= 0 && d <= now) this.input({ kind: 'timer', now });
      this.apps.tick();
      this.resyncInTurn(now);
    });
  }

  /** A frame from the front LAN (only while this board is on the front). */
  receive(frame: Uint8Array): void {
    if (this.role === 'active') this.ip.receive(frame, this.nowLocal);
  }

  private guard(fn: () => void): void {
    if (this.role === 'dead') return;
    try {
      fn();
    } catch (err) {
      if (!(err instanceof Crash)) throw err;
      this.role = 'dead';
      this.crashedAt = this.nowLocal - this.cfg.skewMs;
      this.wire.mute();
    }
  }

  private input(inp: TcpInput): void {
    this.nowLocal = inp.now;
    this.dispatch(this.replicator.handle(inp), inp.now);
    this.replicator.flushHeld(); // the apps had their turn (they consume at once)
  }

  private dispatch(r: HandleResult, now: number): void {
    for (const o of r.outputs) this.output(o, r.dependsOn, now);
  }

  private output(o: TcpOutput, dependsOn: number, now: number): void {
    switch (o.kind) {
      case 'segment': {
        const dep = this.replicator.dependencyNow(dependsOn);
        this.transmit(this.gate.submit({ dst: o.dst, segment: o.segment }, dep, now), now);
        this.heldMax = Math.max(this.heldMax, this.gate.held);
        return;
      }
      case 'data':
        this.apps.open(o.conn);
        this.apps.data(o.conn, o.bytes);
        return;
      case 'event':
        if (o.event === 'accepted' || o.event === 'established') this.apps.open(o.conn);
        else if (o.event === 'peer-fin') this.apps.peerFin(o.conn);
        else if (o.event === 'closed') this.apps.closed(o.conn);
        return;
      default:
        return;
    }
  }

  private transmit(released: { output: Seg }[], now: number): void {
    for (const r of released) this.ip.sendTcp(r.output.dst, r.output.segment, now);
  }

  /** Active: the replication sink. */
  private replicate(entry: LogEntry): number {
    if (!this.replicating) return 0;
    const rec = this.log.append(entry);
    this.wire.send(rec);
    const c = this.cfg.crash;
    if (c && this.hot && recordKind(entry) === c.kind && ++this.crashCount === c.nth) {
      if (!c.inFlightDelivered) this.cfg.ipcCut.cut = true;
      throw new Crash();
    }
    return rec.index;
  }

  private ipcRecord(rec: IpcRecord): void {
    const now = this.nowLocal;
    if (this.role === 'active') this.activeRecord(rec, now);
    else this.standbyRecord(rec, now);
  }

  private activeRecord(rec: IpcRecord, now: number): void {
    switch (rec.type) {
      case 'hello':
        if (rec.wantBulkSync) this.bulkSync(now);
        return;
      case 'confirm': {
        this.log.confirm(rec.index, rec.epoch);
        this.transmit(this.gate.confirm(this.log.confirmedIndex, now), now);
        if (this.bulkEndIndex >= 0 && this.log.confirmedIndex >= this.bulkEndIndex) {
          this.bulkEndIndex = -1;
          this.hot = true;
        }
        return;
      }
      case 'resync-request':
        this.resyncRequests++;
        this.resync(rec.conn, now);
        return;
      default:
        return;
    }
  }

  private resyncInTurn(now: number): void {
    const every = this.cfg.resyncEveryMs;
    if (every === undefined || !this.hot || now < this.nextResync) return;
    this.nextResync = now + every;
    const conns = this.replicator.ssoConnections();
    if (conns.length === 0) return;
    this.resync(conns[this.resyncTurn++ % conns.length]!, now);
  }

  /** Control-block snapshots of `conn` (null: every SSO connection) into the log. */
  private resync(conn: ConnId | null, now: number): void {
    for (const s of this.replicator.snapshots(conn, now))
      this.replicate({ kind: 'snapshot', ...s });
  }

  private bulkSync(now: number): void {
    this.replicating = true;
    this.gate.setWaiting(true, now);
    const snaps = this.replicator.snapshots(null, now);
    this.wire.send({
      type: 'bulk-begin',
      epoch: 1,
      baseIndex: this.log.lastIndex,
      connections: snaps.length,
    });
    for (const s of snaps) this.wire.send(this.log.append({ kind: 'snapshot', ...s }));
    this.wire.send({ type: 'bulk-end', epoch: 1, lastIndex: this.log.lastIndex });
    this.bulkEndIndex = this.log.lastIndex;
  }

  private standbyRecord(rec: IpcRecord, now: number): void {
    switch (rec.type) {
      case 'heartbeat':
        this.lastHeard = now;
        this.replayer.observeClock(rec.sentAt, now);
        return;
      case 'bulk-begin':
        this.replayer.reset();
        this.tracker.bulkBegin(rec.baseIndex, rec.connections, rec.epoch);
        return;
      case 'bulk-end':
        this.hot = this.tracker.bulkEnd(rec.lastIndex);
        this.lastHeard = now;
        this.wire.send({ type: 'confirm', epoch: 1, index: this.tracker.lastApplied });
        return;
      case 'log': {
        const a = this.tracker.admit(rec);
        if (a.verdict !== 'apply') {
          if (a.verdict === 'gap') this.ipcErrors.push(a.request.reason);
          return;
        }
        const differing = this.replayer.apply(rec.entry, now);
        this.tracker.markApplied(rec.index);
        if (differing.length > 0) this.wire.send(this.tracker.mismatch(rec.entry.conn, differing));
        const c = this.tracker.confirmation();
        if (c && !this.tracker.inBulkSync) this.wire.send(c);
        return;
      }
      default:
        return;
    }
  }

  private takeover(now: number): void {
    this.role = 'active';
    this.tookOverAt = now - this.cfg.skewMs;
    this.wire.mute();
    const { outputs, conns } = this.replayer.takeover(now);
    this.replicator = new SsoReplicator(this.engine, { replicate: () => 0 });
    this.replicator.markSsoPort(ECHO_PORT, {});
    this.replicator.markSsoPort(STREAM_PORT, { regenerable: true });
    this.replicator.adopt(conns);
    this.takenOver = conns.length;
    this.gate = new OutputGate<Seg>();
    this.ip.setOwner(true);
    this.cfg.claimFront(this);
    this.ip.announce(now, 3, 100);
    this.dispatch({ outputs, dependsOn: 0 }, now);
    this.apps.adopt(conns);
  }

  /** Connections on this board's engine. */
  connections(): ConnId[] {
    return this.engine.connections();
  }
}
