/**
 * One seeded simulation run: a peer (plain engine) and a chassis of two boards on an in-memory
 * front LAN, the boards joined by an in-memory IPC cable, all in virtual time. The workload
 * (connections both ways, random writes and reads, closes) comes from the seed; the active
 * crashes at a chosen record boundary; the verdict lists everything the peer would call a drop.
 */
import { IpInterface } from '../../ip/interface.ts';
import { MemoryLink } from '../../link/memory-link.ts';
import { Prng } from '../../link/prng.ts';
import { VirtualClock } from '../../link/scheduler.ts';
import {
  decodeArp,
  decodeEthernet,
  EtherType,
  isGratuitousArp,
  parseIpv4,
  parseMac,
} from '../../wire/index.ts';
import { Board, type CrashPoint } from './board.ts';
import { ECHO_PORT, STREAM_PORT } from './chassis-apps.ts';
import { Peer, type PeerConnPlan } from './peer.ts';

export interface SimOptions {
  seed: number;
  crash?: CrashPoint;
  /** Peer-opened connections (default from the seed: 4..12). */
  peerConnections?: number;
  /** Chassis-opened connections (default from the seed: 1..4). */
  chassisConnections?: number;
  /** Loss on the front LAN (default 0). */
  loss?: number;
  /** Unasked mid-stream snapshots, one connection every this many ms (BoardConfig). */
  resyncEveryMs?: number;
  /** Virtual ms before giving up on liveness. */
  limitMs?: number;
}

export interface SimResult {
  seed: number;
  failures: string[];
  crashed: boolean;
  crashedAt: number;
  tookOverAt: number;
  /** Time the peer heard nothing from the chassis across the crash and takeover (ms, virtual). */
  stallMs: number;
  /** Connections the standby carried on. */
  takenOver: number;
  garpSeen: number;
  mismatches: number;
  records: number;
  connections: number;
  endedAt: number;
}

const CHASSIS = parseIpv4('198.18.2.1');
const PEER = parseIpv4('198.18.2.100');

export function runSimulation(o: SimOptions): SimResult {
  const prng = new Prng(o.seed);
  const clock = new VirtualClock(0);
  const [peerEnd, chassisEnd] = MemoryLink.pair(
    { seed: o.seed ^ 0x51, delayMs: 1, loss: o.loss ?? 0, scheduler: clock },
    ['peer', 'chassis'],
  );
  // The IPC cable is as fast as the LAN or slower: output commit must hold segments meanwhile.
  const ipcDelay = 1 + prng.below(3);
  const [ipcA, ipcB] = MemoryLink.pair(
    { seed: o.seed ^ 0x77, delayMs: ipcDelay, scheduler: clock },
    ['ipc0', 'ipc1'],
  );
  const ipcCut = { cut: false };

  const peerConns = o.peerConnections ?? 4 + prng.below(9);
  const plan: PeerConnPlan[] = [];
  for (let i = 0; i < peerConns; i++)
    plan.push({
      at: prng.below(400),
      localPort: 20000 + i,
      port: prng.chance(0.5) ? ECHO_PORT : STREAM_PORT,
    });
  plan.sort((a, b) => a.at - b.at);
  const opens: [number, number][] = [];
  const chassisConns = o.chassisConnections ?? 1 + prng.below(4);
  for (let i = 0; i < chassisConns; i++) opens.push([prng.below(400), 40000 + i]);
  opens.sort((a, b) => a[0] - b[0]);

  let front: Board | undefined;
  let lastHeardAt = 0;
  let stall = 0;
  let beforeCrash = -1;
  const peerIp = new IpInterface(
    { address: PEER, prefixLength: 24, mac: parseMac('02:00:5e:10:00:64') },
    (f) => {
      peerEnd.send(f);
      return true;
    },
  );
  const peer = new Peer(peerIp, CHASSIS, plan, new Prng(o.seed ^ 0x1234));
  peerEnd.onFrames((frames) => {
    for (const f of frames) {
      const now = clock.now();
      const eth = decodeEthernet(f);
      if (eth.ok && eth.value.etherType === EtherType.ARP) {
        const arp = decodeArp(eth.value.payload);
        if (arp.ok && isGratuitousArp(arp.value)) peer.garpSeen++;
      } else {
        if (active.role === 'dead' && beforeCrash < 0) {
          beforeCrash = lastHeardAt;
          stall = now - lastHeardAt;
        }
        lastHeardAt = now;
      }
      peerIp.receive(f, now);
    }
  });
  chassisEnd.onFrames((frames) => {
    for (const f of frames) front?.receive(f);
  });

  const boardCfg = (name: string, skewMs: number, ipc: MemoryLink, crash?: CrashPoint) => ({
    name,
    skewMs,
    chassisAddr: CHASSIS,
    chassisMac: parseMac('02:00:5e:10:00:01'),
    peerAddr: PEER,
    ipc,
    ipcCut,
    frontSend: (b: Board, f: Uint8Array) => {
      if (b === front && b.role === 'active') chassisEnd.send(f);
    },
    claimFront: (b: Board) => {
      front = b;
    },
    heartbeatMs: 10,
    misses: 3,
    ...(crash ? { crash } : {}),
    ...(o.resyncEveryMs !== undefined ? { resyncEveryMs: o.resyncEveryMs } : {}),
    opens,
  });
  const skewA = prng.below(100_000);
  const skewB = prng.below(100_000);
  const joinAt = prng.chance(0.5) ? 0 : 50 + prng.below(400);
  const active = new Board(boardCfg('rp0', skewA, ipcA, o.crash), 'active', skewA);
  front = active;
  let standby: Board | undefined;

  const limit = o.limitMs ?? 30_000;
  let t = 0;
  for (; t <= limit; t++) {
    clock.advance(t);
    if (!standby && t >= joinAt)
      standby = new Board(boardCfg('rp1', skewB, ipcB), 'standby', t + skewB);
    active.tick(t);
    standby?.tick(t);
    peerIp.handle(t);
    peer.tick(t);
    const settled =
      active.role !== 'dead' || (standby?.role === 'active' && t > standby.tookOverAt + 1000);
    if (peer.done && opens.length === 0 && t > 500 && settled) break;
  }

  const failures = peer.verdict();
  const crashed = active.role === 'dead';
  for (const b of [active, standby]) {
    if (!b) continue;
    failures.push(...b.apps.mismatches.map((m) => `${b === active ? 'rp0' : 'rp1'} app: ${m}`));
    failures.push(...b.ipcErrors.map((e) => `ipc: ${e}`));
  }
  if (crashed && standby?.role !== 'active')
    failures.push('the active crashed and the standby did not take over');
  if (crashed && peer.garpSeen === 0) failures.push('no gratuitous ARP after takeover');
  return {
    seed: o.seed,
    failures,
    crashed,
    crashedAt: active.crashedAt,
    tookOverAt: standby?.tookOverAt ?? -1,
    stallMs: stall,
    takenOver: standby?.takenOver ?? 0,
    garpSeen: peer.garpSeen,
    mismatches: standby?.replayer.stats.mismatches ?? 0,
    records: active.replicator.stats.records,
    connections: peer.conns.size,
    endedAt: t,
  };
}
