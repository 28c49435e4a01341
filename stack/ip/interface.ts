/**
 * One IPv4 interface on a link: owns an address and a MAC, answers ARP and
 * ping, hands TCP to a hook and sends TCP through ARP. No timers: every call
 * takes `now` (ms); the daemon calls handle(now) at nextDeadline().
 */
import {
  ArpOp,
  type ArpPacket,
  arpReplyFrame,
  arpRequestFrame,
  decodeArp,
  decodeIcmpEcho,
  decodeTcp,
  EthernetView,
  EtherType,
  encodeEthernet,
  encodeIcmpEchoFrame,
  encodeTcpFrame,
  gratuitousArpFrame,
  IcmpType,
  IpProtocol,
  Ipv4View,
  isBroadcastMac,
  macEquals,
  type TcpSegment,
  ZERO_MAC,
} from '../wire/index.ts';
import { ArpCache, type ArpCacheOptions } from './arp-cache.ts';
import { ArpPending, type PendingOptions } from './arp-pending.ts';
import { InterfaceCounters, type RxDropReason } from './counters.ts';

type Outcome = RxDropReason | 'delivered';

export interface InterfaceConfig {
  address: number;
  prefixLength: number;
  mac: Uint8Array;
  /** Next hop for destinations off the subnet; without it they are unreachable. */
  gateway?: number;
  /** TTL of the packets we send. Default 64. */
  ttl?: number;
  arp?: ArpCacheOptions & PendingOptions;
  /**
   * The transmit function is done with a frame when it returns (the link's
   * `releasesFrameOnSend`): TCP frames are then built in one reused buffer rather than a new
   * one per segment (up to 64 KiB each: at link speed, hundreds of MB/s of garbage).
   */
  reuseTxBuffer?: boolean;
}

export interface TcpPacket {
  src: number;
  dst: number;
  ttl: number;
  segment: TcpSegment;
}

export type TcpHandler = (packet: TcpPacket, now: number) => void;
/** Puts a frame on the link; false when the link refused it. */
export type Transmit = (frame: Uint8Array) => boolean;
export type SendResult = 'sent' | 'queued' | 'dropped';
/** Told of an exception caught on the receive path; the frame is already counted as dropped. */
export type ReceiveErrorHandler = (where: 'receive' | 'tcp-handler', err: unknown) => void;

export class IpInterface {
  readonly counters = new InterfaceCounters();
  readonly arpCache: ArpCache;
  private readonly pending: ArpPending;
  private mac: Uint8Array;
  private readonly mask: number;
  private tcpHandler: TcpHandler | undefined;
  private overheardHandler: TcpHandler | undefined;
  private sendGate: (() => boolean) | undefined;
  private errorHandler: ReceiveErrorHandler | undefined;
  /** Whether this board owns the address now (a standby does not answer for it). */
  private owner = true;
  private ipId = 0;
  /** With `reuseTxBuffer`: room for the largest frame we build (a 64 KiB super-segment). */
  private readonly txBuffer: Uint8Array | undefined;
  private announcements: { remaining: number; next: number; intervalMs: number } | undefined;

  constructor(
    private readonly config: InterfaceConfig,
    private readonly transmit: Transmit,
  ) {
    this.mac = config.mac.slice(0, 6);
    if (config.reuseTxBuffer) this.txBuffer = new Uint8Array(14 + 65_535);
    this.mask = config.prefixLength === 0 ? 0 : (0xffffffff << (32 - config.prefixLength)) >>> 0;
    this.arpCache = new ArpCache(config.arp);
    this.pending = new ArpPending(config.arp);
  }

  get address(): number {
    return this.config.address;
  }
  get macAddress(): Uint8Array {
    return this.mac;
  }
  get isOwner(): boolean {
    return this.owner;
  }

  /** Attach the TCP engine; until then TCP is dropped as `no-tcp-handler`. */
  onTcp(handler: TcpHandler | undefined): void {
    this.tcpHandler = handler;
  }

  /**
   * TCP for the address that arrives while this board does not own it: a standby sees what the
   * switch floods to it once the active's port is gone, and keeps it for its takeover. Still
   * counted as dropped (`ip-not-owner`): nothing is answered.
   */
  onOverheardTcp(handler: TcpHandler | undefined): void {
    this.overheardHandler = handler;
  }

  /** Hear about exceptions the receive path caught (so the daemon can log what broke). */
  onReceiveError(handler: ReceiveErrorHandler | undefined): void {
    this.errorHandler = handler;
  }

  private reportError(where: 'receive' | 'tcp-handler', err: unknown): void {
    try {
      this.errorHandler?.(where, err);
    } catch {
      // a failing reporter must not turn a dropped frame into a crash
    }
  }

  /** Take or give up the address (HA roles). A non-owner neither answers ARP nor accepts IP for it. */
  setOwner(owner: boolean): void {
    this.owner = owner;
    if (!owner) this.announcements = undefined;
  }

  /**
   * Frames leave only while `gate()` says so (HA: not while the board's own heartbeats had a
   * hole the role machine has not judged yet: a board just back from a freeze may have lost
   * the address to its mate, and must not answer even an ARP for it meanwhile).
   */
  setSendGate(gate: (() => boolean) | undefined): void {
    this.sendGate = gate;
  }

  setMac(mac: Uint8Array): void {
    this.mac = mac.slice(0, 6);
  }

  /** Gratuitous ARP now and `count - 1` more times, `intervalMs` apart (one may be lost). */
  announce(now: number, count = 3, intervalMs = 100): void {
    this.send(encodeEthernet(gratuitousArpFrame(this.mac, this.config.address)));
    this.announcements =
      count > 1 ? { remaining: count - 1, next: now + intervalMs, intervalMs } : undefined;
  }

  /** Receive one frame. Never throws: whatever happens, the frame is counted once. */
  receive(frame: Uint8Array, now: number): void {
    const c = this.counters;
    c.rx++;
    let outcome: Outcome;
    try {
      outcome = this.dispatch(frame, now);
    } catch (err) {
      outcome = 'internal-error';
      this.reportError('receive', err);
    }
    if (outcome === 'delivered') c.delivered++;
    else c.drop(outcome);
  }

  private dispatch(frame: Uint8Array, now: number): Outcome {
    const eth = EthernetView.wrap(frame);
    if (!eth.ok) return 'eth-malformed';
    const dst = eth.value.dst;
    if (!macEquals(dst, this.mac) && !isBroadcastMac(dst)) return 'eth-not-for-us';
    if (eth.value.hasVlan) return 'eth-vlan-tagged';
    const type = eth.value.etherType;
    if (type === EtherType.ARP) return this.receiveArp(eth.value.payload, now);
    if (type === EtherType.IPV4) return this.receiveIpv4(eth.value.src, eth.value.payload, now);
    return 'eth-unsupported-type';
  }

  private receiveArp(bytes: Uint8Array, now: number): Outcome {
    const d = decodeArp(bytes);
    if (!d.ok) return 'arp-malformed';
    const arp = d.value;
    if (arp.op !== ArpOp.REQUEST && arp.op !== ArpOp.REPLY) return 'arp-unsupported-op';
    const own = this.config.address;
    if (arp.senderIp === own && !macEquals(arp.senderMac, this.mac)) this.counters.arpConflicts++;
    // RFC 826: refresh a known sender; learn it when the packet is for us
    const forUs = this.owner && arp.targetIp === own;
    if (arp.senderIp !== 0 && arp.senderIp !== own && (forUs || this.arpCache.has(arp.senderIp))) {
      this.learn(arp, now);
    }
    if (!forUs) return 'arp-not-for-us';
    if (arp.op === ArpOp.REQUEST) this.send(encodeEthernet(arpReplyFrame(this.mac, own, arp)));
    return 'delivered';
  }

  private learn(arp: ArpPacket, now: number): void {
    this.arpCache.learn(arp.senderIp, arp.senderMac, now);
    for (const f of this.pending.resolve(arp.senderIp, arp.senderMac)) this.send(f);
  }

  private receiveIpv4(srcMac: Uint8Array, bytes: Uint8Array, now: number): Outcome {
    const wrapped = Ipv4View.wrap(bytes);
    if (!wrapped.ok)
      return wrapped.error.code === 'BAD_CHECKSUM' ? 'ip-bad-checksum' : 'ip-malformed';
    const ip = wrapped.value;
    if (ip.dst !== this.config.address) return 'ip-not-for-us';
    if (!this.owner) {
      if (this.overheardHandler && ip.protocol === IpProtocol.TCP && !ip.isFragment)
        this.overhear(ip, now, this.overheardHandler);
      return 'ip-not-owner';
    }
    if (ip.isFragment) return 'ip-fragment';
    if (ip.protocol === IpProtocol.TCP) return this.receiveTcp(ip, now);
    if (ip.protocol === IpProtocol.ICMP) return this.receiveIcmp(srcMac, ip);
    return 'ip-unsupported-protocol';
  }

  private receiveIcmp(srcMac: Uint8Array, ip: Ipv4View): Outcome {
    const d = decodeIcmpEcho(ip.payload);
    if (!d.ok) return d.error.code === 'UNSUPPORTED' ? 'icmp-unsupported-type' : 'icmp-malformed';
    if (d.value.type !== IcmpType.ECHO_REQUEST) return 'icmp-unsupported-type';
    // answer to the MAC the request came from: no ARP round trip for a ping
    const header = { srcMac: this.mac, dstMac: srcMac, src: this.address, dst: ip.src };
    this.send(
      encodeIcmpEchoFrame(
        { ...header, ttl: this.ttl, id: this.nextId() },
        { ...d.value, type: IcmpType.ECHO_REPLY, code: 0 },
      ),
    );
    return 'delivered';
  }

  private receiveTcp(ip: Ipv4View, now: number): Outcome {
    const d = decodeTcp(ip.payload, ip.src, ip.dst);
    if (!d.ok) return d.error.code === 'BAD_CHECKSUM' ? 'tcp-bad-checksum' : 'tcp-malformed';
    const handler = this.tcpHandler;
    if (!handler) return 'no-tcp-handler';
    try {
      handler({ src: ip.src, dst: ip.dst, ttl: ip.ttl, segment: d.value }, now);
    } catch (err) {
      this.reportError('tcp-handler', err);
      return 'tcp-handler-error';
    }
    return 'delivered';
  }

  private overhear(ip: Ipv4View, now: number, handler: TcpHandler): void {
    const d = decodeTcp(ip.payload, ip.src, ip.dst);
    if (!d.ok) return;
    try {
      handler({ src: ip.src, dst: ip.dst, ttl: ip.ttl, segment: d.value }, now);
    } catch (err) {
      this.reportError('tcp-handler', err);
    }
  }

  /** Encode and send a segment from our address to `dst`, resolving its MAC (queued meanwhile). */
  sendTcp(dst: number, segment: TcpSegment, now: number): SendResult {
    const hop = this.nextHop(dst);
    if (hop === undefined) {
      this.counters.dropTx('no-route');
      return 'dropped';
    }
    const mac = this.arpCache.lookup(hop, now);
    // A frame queued for ARP outlives this call: it gets its own buffer.
    const into = mac ? this.txBuffer : undefined;
    const frame = encodeTcpFrame(
      {
        srcMac: this.mac,
        dstMac: mac ?? ZERO_MAC,
        src: this.config.address,
        dst,
        ttl: this.ttl,
        id: this.nextId(),
      },
      segment,
      into,
    );
    if (mac) return this.send(frame) ? 'sent' : 'dropped';
    const queued = this.pending.enqueue(hop, frame, now);
    if (queued === 'full') {
      this.counters.dropTx('arp-queue-full');
      return 'dropped';
    }
    if (queued === 'queued-new') this.sendArpRequest(hop);
    return 'queued';
  }

  /** Run what is due at `now`: ARP retries and give-ups, repeated announcements. */
  handle(now: number): void {
    const { retry, givenUp } = this.pending.due(now);
    for (const hop of retry) this.sendArpRequest(hop);
    if (givenUp > 0) this.counters.dropTx('arp-unresolved', givenUp);
    const a = this.announcements;
    if (a && now >= a.next) {
      this.send(encodeEthernet(gratuitousArpFrame(this.mac, this.config.address)));
      a.remaining--;
      a.next = now + a.intervalMs;
      if (a.remaining <= 0) this.announcements = undefined;
    }
  }

  /** Earliest time handle() has work, or undefined. */
  nextDeadline(): number | undefined {
    const p = this.pending.nextDeadline();
    const a = this.announcements?.next;
    if (p === undefined) return a;
    return a === undefined ? p : Math.min(p, a);
  }

  private nextHop(dst: number): number | undefined {
    if (((dst ^ this.config.address) & this.mask) === 0) return dst;
    return this.config.gateway;
  }

  private sendArpRequest(hop: number): void {
    this.send(encodeEthernet(arpRequestFrame(this.mac, this.config.address, hop)));
  }

  private send(frame: Uint8Array): boolean {
    if (this.sendGate && !this.sendGate()) {
      this.counters.dropTx('gated');
      return false;
    }
    let accepted: boolean;
    try {
      accepted = this.transmit(frame);
    } catch {
      this.counters.dropTx('link-error');
      return false;
    }
    if (accepted) this.counters.tx++;
    else this.counters.dropTx('link-refused');
    return accepted;
  }

  private get ttl(): number {
    return this.config.ttl ?? 64;
  }

  private nextId(): number {
    this.ipId = (this.ipId + 1) & 0xffff;
    return this.ipId;
  }
}
