import test from 'ava';
import {
  ArpOp,
  arpReplyFrame,
  arpRequestFrame,
  BROADCAST_MAC,
  type DecodedFrame,
  decodeFrame,
  encodeEthernet,
  encodeIcmpEchoFrame,
  encodeTcpFrame,
  formatMac,
  gratuitousArpFrame,
  internetChecksum,
  parseIpv4,
  parseMac,
  TcpFlag,
  type TcpSegment,
} from '../wire/index.ts';
import { ArpCache } from './arp-cache.ts';
import { IpInterface, type TcpPacket } from './interface.ts';

const OWN_IP = parseIpv4('198.18.2.1');
const OWN_MAC = parseMac('02:00:5e:10:00:01');
const PEER_IP = parseIpv4('198.18.2.2');
const PEER_MAC = parseMac('02:00:00:00:00:02');

function setup(config: Partial<ConstructorParameters<typeof IpInterface>[0]> = {}) {
  const sent: Uint8Array[] = [];
  const ifc = new IpInterface(
    { address: OWN_IP, prefixLength: 24, mac: OWN_MAC, ...config },
    (f) => {
      sent.push(f);
      return true;
    },
  );
  const take = (): DecodedFrame[] =>
    sent.splice(0).map((f) => {
      const d = decodeFrame(f);
      if (!d.ok) throw new Error(d.error.message);
      return d.value;
    });
  return { ifc, take };
}

const segment: TcpSegment = {
  srcPort: 40000,
  dstPort: 7,
  seq: 1,
  ack: 0,
  flags: TcpFlag.SYN,
  window: 1000,
  urgent: 0,
  options: { mss: 1460 },
  payload: new Uint8Array(0),
};

function accounted(t: import('ava').ExecutionContext, ifc: IpInterface): void {
  const s = ifc.counters.snapshot();
  t.is(s.rx, s.delivered + s.droppedTotal);
}

test('answers an ARP request for its address and learns the asker', (t) => {
  const { ifc, take } = setup();
  ifc.receive(encodeEthernet(arpRequestFrame(PEER_MAC, PEER_IP, OWN_IP)), 0);
  const [reply, more] = take();
  t.is(more, undefined);
  t.is(reply?.arp?.op, ArpOp.REPLY);
  t.is(formatMac(reply!.arp!.senderMac), formatMac(OWN_MAC));
  t.is(formatMac(reply!.eth.dst), formatMac(PEER_MAC));
  t.is(reply?.arp?.targetIp, PEER_IP);
  t.deepEqual(ifc.arpCache.lookup(PEER_IP, 1), PEER_MAC);
  // a request for another address: not answered, not learned
  ifc.receive(encodeEthernet(arpRequestFrame(PEER_MAC, parseIpv4('198.18.2.3'), PEER_IP)), 2);
  t.deepEqual(take(), []);
  t.is(ifc.arpCache.lookup(parseIpv4('198.18.2.3'), 3), undefined);
  t.deepEqual(ifc.counters.snapshot().dropped, { 'arp-not-for-us': 1 });
  accounted(t, ifc);
});

test('answers ping to the sender MAC, drops pings to other addresses', (t) => {
  const { ifc, take } = setup();
  const data = new TextEncoder().encode('abcdefgh');
  const h = { srcMac: PEER_MAC, dstMac: OWN_MAC, src: PEER_IP, dst: OWN_IP };
  ifc.receive(encodeIcmpEchoFrame(h, { type: 8, code: 0, id: 77, seq: 3, data }), 0);
  const [reply] = take();
  t.like(reply?.icmp, { type: 0, id: 77, seq: 3 });
  t.deepEqual(reply?.icmp?.data, data);
  t.is(reply?.ip?.dst, PEER_IP);
  t.is(formatMac(reply!.eth.dst), formatMac(PEER_MAC));
  ifc.receive(
    encodeIcmpEchoFrame({ ...h, dst: PEER_IP }, { type: 8, code: 0, id: 1, seq: 1, data }),
    0,
  );
  ifc.receive(encodeIcmpEchoFrame(h, { type: 0, code: 0, id: 1, seq: 1, data }), 0);
  t.deepEqual(take(), []);
  t.deepEqual(ifc.counters.snapshot().dropped, { 'icmp-unsupported-type': 1, 'ip-not-for-us': 1 });
  accounted(t, ifc);
});

test('fragments, tagged frames, other MACs and a non-owner: dropped by reason, never answered', (t) => {
  const { ifc, take } = setup();
  const h = { srcMac: PEER_MAC, dstMac: OWN_MAC, src: PEER_IP, dst: OWN_IP };
  const ping = encodeIcmpEchoFrame(h, { type: 8, code: 0, id: 9, seq: 1, data: new Uint8Array(8) });
  const fragment = ping.slice();
  fragment[20] = 0x20; // more fragments
  fragment[24] = 0;
  fragment[25] = 0;
  const sum = internetChecksum(fragment, 14, 34);
  fragment[24] = sum >>> 8;
  fragment[25] = sum & 0xff;
  ifc.receive(fragment, 0);
  const tagged = encodeEthernet({
    dst: OWN_MAC,
    src: PEER_MAC,
    vlan: { pcp: 0, dei: false, id: 7 },
    etherType: 0x0800,
    payload: ping.subarray(14),
  });
  ifc.receive(tagged, 0);
  const otherMac = ping.slice();
  otherMac[5] = 0x99;
  ifc.receive(otherMac, 0);
  ifc.setOwner(false);
  ifc.receive(ping, 0);
  t.deepEqual(take(), []);
  t.deepEqual(ifc.counters.snapshot().dropped, {
    'eth-not-for-us': 1,
    'eth-vlan-tagged': 1,
    'ip-fragment': 1,
    'ip-not-owner': 1,
  });
  ifc.setOwner(true);
  ifc.receive(ping, 1);
  t.like(take()[0]?.icmp, { type: 0, id: 9 });
  accounted(t, ifc);
});

test('TCP is dropped without a handler and delivered with one', (t) => {
  const { ifc } = setup();
  const frame = encodeTcpFrame(
    { srcMac: PEER_MAC, dstMac: OWN_MAC, src: PEER_IP, dst: OWN_IP },
    segment,
  );
  ifc.receive(frame, 0);
  t.is(ifc.counters.droppedCount('no-tcp-handler'), 1);
  const got: TcpPacket[] = [];
  ifc.onTcp((p) => got.push(p));
  ifc.receive(frame, 5);
  t.is(got.length, 1);
  t.deepEqual(got[0]?.segment, segment);
  t.is(got[0]?.src, PEER_IP);
  const bad = frame.slice();
  bad[bad.length - 1]! ^= 0xff;
  ifc.receive(bad, 6);
  t.is(ifc.counters.droppedCount('tcp-bad-checksum'), 1);
  ifc.onTcp(() => {
    throw new Error('engine bug');
  });
  const reported: string[] = [];
  ifc.onReceiveError((where, err) => reported.push(`${where}: ${(err as Error).message}`));
  ifc.receive(frame, 7);
  t.is(ifc.counters.droppedCount('tcp-handler-error'), 1);
  t.deepEqual(reported, ['tcp-handler: engine bug']);
  // a reporter that throws changes nothing: the frame is still counted once
  ifc.onReceiveError(() => {
    throw new Error('logger bug');
  });
  t.notThrows(() => ifc.receive(frame, 8));
  t.is(ifc.counters.droppedCount('tcp-handler-error'), 2);
  t.is(ifc.counters.delivered, 1);
  accounted(t, ifc);
});

test('sendTcp resolves the next hop, queues meanwhile, retries and gives up', (t) => {
  const { ifc, take } = setup({ arp: { retryMs: 100, maxRequests: 2 } });
  t.is(ifc.sendTcp(PEER_IP, segment, 0), 'queued');
  t.is(ifc.sendTcp(PEER_IP, { ...segment, seq: 2 }, 1), 'queued');
  const [req] = take();
  t.like(req?.arp, { op: ArpOp.REQUEST, targetIp: PEER_IP, senderIp: OWN_IP });
  t.true(formatMac(req!.eth.dst) === formatMac(BROADCAST_MAC));
  t.is(ifc.nextDeadline(), 100);
  ifc.handle(100);
  t.is(take()[0]?.arp?.op, ArpOp.REQUEST);
  // the reply flushes both queued segments, in order, to the learned MAC
  ifc.receive(
    encodeEthernet(
      arpReplyFrame(PEER_MAC, PEER_IP, {
        op: 1,
        senderMac: OWN_MAC,
        senderIp: OWN_IP,
        targetMac: OWN_MAC,
        targetIp: PEER_IP,
      }),
    ),
    150,
  );
  const flushed = take();
  t.deepEqual(
    flushed.map((f) => f.tcp?.seq),
    [1, 2],
  );
  t.is(formatMac(flushed[0]!.eth.dst), formatMac(PEER_MAC));
  t.is(ifc.sendTcp(PEER_IP, segment, 200), 'sent');
  t.is(take().length, 1);
  // an address that never answers: two requests, then the frame is given up
  const silent = parseIpv4('198.18.2.9');
  t.is(ifc.sendTcp(silent, segment, 1000), 'queued');
  ifc.handle(1100);
  ifc.handle(1200);
  t.is(take().length, 2);
  t.is(ifc.nextDeadline(), undefined);
  t.deepEqual(ifc.counters.snapshot().txDropped, { 'arp-unresolved': 1 });
  t.is(ifc.sendTcp(parseIpv4('198.19.0.1'), segment, 1300), 'dropped');
  t.is(ifc.counters.snapshot().txDropped['no-route'], 1);
});

test('gratuitous ARP is sent N times on deadlines; a non-owner stays silent', (t) => {
  const { ifc, take } = setup();
  ifc.announce(0, 3, 100);
  t.is(ifc.nextDeadline(), 100);
  ifc.handle(50);
  ifc.handle(100);
  ifc.handle(200);
  ifc.handle(300);
  const frames = take();
  t.is(frames.length, 3);
  for (const f of frames) {
    t.like(f.arp, { op: ArpOp.REQUEST, senderIp: OWN_IP, targetIp: OWN_IP });
    t.is(formatMac(f.eth.dst), 'ff:ff:ff:ff:ff:ff');
  }
  ifc.setOwner(false);
  ifc.receive(encodeEthernet(arpRequestFrame(PEER_MAC, PEER_IP, OWN_IP)), 400);
  t.deepEqual(take(), []);
  // the mate announcing our address is noticed
  ifc.receive(encodeEthernet(gratuitousArpFrame(parseMac('02:00:5e:10:00:99'), OWN_IP)), 500);
  t.is(ifc.counters.arpConflicts, 1);
  accounted(t, ifc);
});

test('ARP cache is bounded and entries expire', (t) => {
  const cache = new ArpCache({ maxEntries: 2, ttlMs: 1000 });
  cache.learn(1, PEER_MAC, 0);
  cache.learn(2, PEER_MAC, 0);
  cache.learn(3, OWN_MAC, 10);
  t.is(cache.size, 2);
  t.is(cache.lookup(1, 10), undefined);
  t.deepEqual(cache.lookup(3, 1010), OWN_MAC);
  t.is(cache.lookup(3, 1011), undefined);
  cache.expire(2000);
  t.is(cache.size, 0);
});

test('a non-owner hands the TCP it overhears to its hook, answers nothing and counts it dropped', (t) => {
  const { ifc, take } = setup();
  const frame = encodeTcpFrame(
    { srcMac: PEER_MAC, dstMac: OWN_MAC, src: PEER_IP, dst: OWN_IP },
    segment,
  );
  const delivered: TcpPacket[] = [];
  const overheard: TcpPacket[] = [];
  ifc.onTcp((p) => delivered.push(p));
  ifc.onOverheardTcp((p) => overheard.push(p));
  ifc.setOwner(false);
  ifc.receive(frame, 0);
  const bad = frame.slice();
  bad[bad.length - 1]! ^= 0xff;
  ifc.receive(bad, 1);
  t.deepEqual(delivered, []);
  t.is(overheard.length, 1, 'a segment with a bad checksum is not kept');
  t.deepEqual(overheard[0]?.segment, segment);
  t.deepEqual(take(), []);
  t.is(ifc.counters.droppedCount('ip-not-owner'), 2);
  ifc.setOwner(true);
  ifc.receive(frame, 2);
  t.is(delivered.length, 1);
  t.is(overheard.length, 1);
  accounted(t, ifc);
});

test('the send gate holds back every frame (ARP replies included) while it says no', (t) => {
  const { ifc, take } = setup();
  let open = false;
  ifc.setSendGate(() => open);
  ifc.receive(encodeEthernet(arpRequestFrame(PEER_MAC, PEER_IP, OWN_IP)), 0);
  ifc.announce(0, 1);
  t.deepEqual(take(), []);
  t.is(ifc.counters.snapshot().txDropped.gated, 2);
  open = true;
  ifc.receive(encodeEthernet(arpRequestFrame(PEER_MAC, PEER_IP, OWN_IP)), 1);
  t.is(take()[0]?.arp?.op, ArpOp.REPLY);
});

test('reuseTxBuffer: TCP frames are built in one buffer; a frame waiting for ARP keeps its own', (t) => {
  const PEER2_IP = parseIpv4('198.18.2.3');
  const PEER2_MAC = parseMac('02:00:00:00:00:03');
  // A link that is done with each frame when it returns: it reads what it needs at once.
  const seen: { buffer: ArrayBufferLike; tcp: number[] | undefined }[] = [];
  const ifc = new IpInterface(
    { address: OWN_IP, prefixLength: 24, mac: OWN_MAC, reuseTxBuffer: true },
    (f) => {
      const d = decodeFrame(f);
      if (!d.ok) throw new Error(d.error.message);
      const tcp = d.value.tcp;
      seen.push({ buffer: f.buffer, tcp: tcp && [tcp.seq, tcp.payload.length, tcp.payload[0]!] });
      return true;
    },
  );
  const reply = (mac: Uint8Array, ip: number): Uint8Array =>
    encodeEthernet(
      arpReplyFrame(mac, ip, {
        op: 1,
        senderMac: OWN_MAC,
        senderIp: OWN_IP,
        targetMac: OWN_MAC,
        targetIp: ip,
      }),
    );
  ifc.receive(reply(PEER_MAC, PEER_IP), 0);
  const data = (seq: number, n: number): TcpSegment => ({
    ...segment,
    seq,
    flags: TcpFlag.ACK | TcpFlag.PSH,
    payload: new Uint8Array(n).fill(seq),
  });
  t.is(ifc.sendTcp(PEER2_IP, data(7, 100), 1), 'queued'); // waits for PEER2's MAC
  t.is(ifc.sendTcp(PEER_IP, data(1, 1400), 2), 'sent');
  t.is(ifc.sendTcp(PEER_IP, data(2, 60), 3), 'sent'); // shorter, over the first one's bytes
  ifc.receive(reply(PEER2_MAC, PEER2_IP), 4);
  const tcp = seen.filter((s) => s.tcp);
  t.deepEqual(
    tcp.map((s) => s.tcp),
    [
      [1, 1400, 1],
      [2, 60, 2],
      [7, 100, 7],
    ],
    'every frame decodes whole (checksums included) with its own payload',
  );
  t.is(tcp[0]!.buffer, tcp[1]!.buffer, 'sent at once: the same buffer');
  t.not(tcp[2]!.buffer, tcp[0]!.buffer, 'queued for ARP: a buffer of its own');
});
