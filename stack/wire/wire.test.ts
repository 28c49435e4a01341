import test from 'ava';
import {
  ArpOp,
  decodeArp,
  decodeEthernet,
  decodeFrame,
  decodeIcmpEcho,
  decodeIpv4,
  decodeTcp,
  EtherType,
  encodeEthernet,
  encodeIcmpEcho,
  encodeIcmpEchoFrame,
  encodeIpv4,
  encodeTcp,
  encodeTcpFrame,
  formatIpv4,
  formatMac,
  gratuitousArpFrame,
  IcmpType,
  IpProtocol,
  internetChecksum,
  isGratuitousArp,
  parseIpv4,
  parseIpv4Cidr,
  parseMac,
  TcpFlag,
  type TcpSegment,
  WireError,
} from './index.ts';

const hex = (s: string) => Uint8Array.from(Buffer.from(s.replace(/\s+/g, ''), 'hex'));
const A = parseIpv4('198.18.2.1');
const B = parseIpv4('198.18.2.2');

test('addresses parse and format', (t) => {
  t.is(parseIpv4('198.18.2.1'), 0xc6120201);
  t.is(parseIpv4('255.255.255.255'), 0xffffffff);
  t.is(formatIpv4(0xc6120201), '198.18.2.1');
  t.throws(() => parseIpv4('1.2.3.256'), { instanceOf: WireError });
  t.throws(() => parseIpv4('1.2.3'), { instanceOf: WireError });
  t.deepEqual(parseIpv4Cidr('198.18.2.1/24'), { address: A, prefixLength: 24, mask: 0xffffff00 });
  t.throws(() => parseIpv4Cidr('198.18.2.1/33'));
  t.is(formatMac(parseMac('02:00:5E:10:00:01')), '02:00:5e:10:00:01');
  t.throws(() => parseMac('02:00:5e:10:00'), { instanceOf: WireError });
});

test('IPv4 header checksum matches a known header', (t) => {
  const header = hex('4500 0073 0000 4000 4011 b861 c0a8 0001 c0a8 00c7');
  t.is(internetChecksum(header), 0);
  const packet = new Uint8Array(0x73);
  packet.set(header);
  const d = decodeIpv4(packet);
  t.true(d.ok);
  if (!d.ok) return;
  t.is(d.value.protocol, IpProtocol.UDP);
  t.is(formatIpv4(d.value.dst), '192.168.0.199');
  t.true(d.value.dontFragment);
  t.false(d.value.isFragment);
  const re = encodeIpv4(
    { src: d.value.src, dst: d.value.dst, protocol: 17, ttl: 64 },
    d.value.payload,
  );
  t.deepEqual(re.subarray(0, 20), header);
});

test('IPv4 rejects bad checksum, version, lengths; flags fragments; skips options', (t) => {
  const p = encodeIpv4({ src: A, dst: B, protocol: 6 }, new Uint8Array(8));
  const bad = p.slice();
  bad[8] = 1;
  t.is(
    decodeIpv4(bad).ok ? '' : (decodeIpv4(bad) as { error: { code: string } }).error.code,
    'BAD_CHECKSUM',
  );
  t.true(decodeIpv4(bad, { verifyChecksum: false }).ok);
  const v6 = p.slice();
  v6[0] = 0x65;
  t.like(decodeIpv4(v6), { ok: false, error: { code: 'BAD_VERSION' } });
  t.like(decodeIpv4(p.subarray(0, 19)), { ok: false, error: { code: 'TRUNCATED' } });
  t.like(decodeIpv4(p.subarray(0, 24)), { ok: false, error: { code: 'TRUNCATED', offset: 2 } });
  const ihl = p.slice();
  ihl[0] = 0x44;
  t.like(decodeIpv4(ihl, { verifyChecksum: false }), {
    ok: false,
    error: { code: 'BAD_HEADER_LENGTH' },
  });
  // a fragment (MF set) decodes but is flagged
  const frag = encodeIpv4({ src: A, dst: B, protocol: 6, dontFragment: false }, new Uint8Array(8));
  frag[6] = 0x20;
  frag[10] = 0;
  frag[11] = 0;
  frag.set([internetChecksum(frag, 0, 20) >> 8, internetChecksum(frag, 0, 20) & 0xff], 10);
  t.like(decodeIpv4(frag), { ok: true, value: { isFragment: true, moreFragments: true } });
  // options: 24-byte header, payload after the options, Ethernet padding trimmed
  const withOpts = new Uint8Array(24 + 4 + 6);
  withOpts.set([0x46, 0, 0, 28, 0, 0, 0x40, 0, 64, 6, 0, 0], 0);
  withOpts.set([198, 18, 2, 1, 198, 18, 2, 2, 1, 1, 1, 0, 9, 8, 7, 6], 12);
  const cs = internetChecksum(withOpts, 0, 24);
  withOpts[10] = cs >> 8;
  withOpts[11] = cs & 0xff;
  const d = decodeIpv4(withOpts);
  t.like(d, { ok: true, value: { headerLength: 24, totalLength: 28 } });
  if (d.ok) t.deepEqual([...d.value.payload], [9, 8, 7, 6]);
});

test('Ethernet with and without 802.1Q', (t) => {
  const mac1 = parseMac('02:00:5e:10:00:01');
  const mac2 = parseMac('02:00:5e:10:00:02');
  const plain = encodeEthernet({
    dst: mac1,
    src: mac2,
    etherType: EtherType.ARP,
    payload: new Uint8Array(3),
  });
  t.is(plain.length, 17);
  t.like(decodeEthernet(plain), { ok: true, value: { etherType: EtherType.ARP } });
  const tagged = encodeEthernet({
    dst: mac1,
    src: mac2,
    vlan: { pcp: 5, dei: true, id: 100 },
    etherType: EtherType.IPV4,
    payload: new Uint8Array([1]),
  });
  t.deepEqual([...tagged.subarray(12, 18)], [0x81, 0x00, 0xb0, 0x64, 0x08, 0x00]);
  const d = decodeEthernet(tagged);
  t.like(d, {
    ok: true,
    value: { etherType: EtherType.IPV4, vlan: { pcp: 5, dei: true, id: 100 } },
  });
  t.like(decodeEthernet(tagged.subarray(0, 16)), { ok: false, error: { code: 'TRUNCATED' } });
  t.like(decodeEthernet(new Uint8Array(13)), {
    ok: false,
    error: { code: 'TRUNCATED', offset: 0 },
  });
});

test('ARP: gratuitous request form, and bad packets', (t) => {
  const mac = parseMac('02:00:5e:10:00:01');
  const g = gratuitousArpFrame(mac, A);
  t.is(formatMac(g.dst), 'ff:ff:ff:ff:ff:ff');
  const d = decodeArp(g.payload);
  t.true(d.ok);
  if (!d.ok) return;
  t.is(d.value.op, ArpOp.REQUEST);
  t.true(isGratuitousArp(d.value));
  t.is(formatMac(d.value.senderMac), '02:00:5e:10:00:01');
  t.like(decodeArp(g.payload.subarray(0, 27)), { ok: false, error: { code: 'TRUNCATED' } });
  const bad = g.payload.slice();
  bad[4] = 8;
  t.like(decodeArp(bad), { ok: false, error: { code: 'BAD_LENGTH', offset: 4 } });
  bad[4] = 6;
  bad[1] = 6;
  t.like(decodeArp(bad), { ok: false, error: { code: 'UNSUPPORTED' } });
});

test('ICMP echo encodes with a valid checksum and rejects corruption', (t) => {
  const m = encodeIcmpEcho({
    type: IcmpType.ECHO_REQUEST,
    code: 0,
    id: 0x1234,
    seq: 7,
    data: hex('deadbeef01'),
  });
  t.is(internetChecksum(m), 0);
  t.like(decodeIcmpEcho(m), { ok: true, value: { type: 8, id: 0x1234, seq: 7 } });
  const bad = m.slice();
  bad[9]! ^= 1;
  t.like(decodeIcmpEcho(bad), { ok: false, error: { code: 'BAD_CHECKSUM' } });
  const unreachable = encodeIcmpEcho({ type: 3, code: 1, id: 0, seq: 0, data: new Uint8Array(0) });
  t.like(decodeIcmpEcho(unreachable), { ok: false, error: { code: 'UNSUPPORTED' } });
});

const syn: TcpSegment = {
  srcPort: 40000,
  dstPort: 7,
  seq: 0xfffffff0,
  ack: 0,
  flags: TcpFlag.SYN,
  window: 64240,
  urgent: 0,
  options: { mss: 1460, sackPermitted: true, timestamp: { value: 1, echo: 0 }, wscale: 7 },
  payload: new Uint8Array(0),
};

test('TCP: Linux SYN option layout, checksum against a direct computation', (t) => {
  const bytes = encodeTcp(syn, A, B);
  t.is(bytes.length, 40);
  // mss, sackOK, TS, nop, wscale — as Linux lays them out
  t.deepEqual([...bytes.subarray(20, 24)], [2, 4, 0x05, 0xb4]);
  t.deepEqual([...bytes.subarray(24, 28)], [4, 2, 8, 10]);
  t.deepEqual([...bytes.subarray(36, 40)], [1, 3, 3, 7]);
  // checksum over an explicit pseudo-header + segment
  const pseudo = new Uint8Array(12 + bytes.length);
  pseudo.set([198, 18, 2, 1, 198, 18, 2, 2, 0, 6, 0, bytes.length]);
  pseudo.set(bytes, 12);
  t.is(internetChecksum(pseudo), 0);
  const d = decodeTcp(bytes, A, B);
  t.deepEqual(d, { ok: true, value: syn });
  t.like(decodeTcp(bytes, A, parseIpv4('198.18.2.3')), {
    ok: false,
    error: { code: 'BAD_CHECKSUM' },
  });
  t.true(decodeTcp(bytes, A, parseIpv4('198.18.2.3'), { verifyChecksum: false }).ok);
});

test('TCP: malformed headers and options return typed errors', (t) => {
  const bytes = encodeTcp(syn, A, B);
  t.like(decodeTcp(bytes.subarray(0, 19), A, B), { ok: false, error: { code: 'TRUNCATED' } });
  t.like(decodeTcp(bytes.subarray(0, 30), A, B, { verifyChecksum: false }), {
    ok: false,
    error: { code: 'TRUNCATED', offset: 12 },
  });
  const off = bytes.slice();
  off[12] = 0x40;
  t.like(decodeTcp(off, A, B, { verifyChecksum: false }), {
    ok: false,
    error: { code: 'BAD_HEADER_LENGTH' },
  });
  const badMss = bytes.slice();
  badMss[21] = 5;
  t.like(decodeTcp(badMss, A, B, { verifyChecksum: false }), {
    ok: false,
    error: { code: 'BAD_OPTION', offset: 21 },
  });
  const zeroLen = bytes.slice();
  zeroLen[21] = 0;
  t.like(decodeTcp(zeroLen, A, B, { verifyChecksum: false }), {
    ok: false,
    error: { code: 'BAD_OPTION' },
  });
  const overrun = bytes.slice();
  overrun[38] = 30; // window scale option claiming 30 bytes
  t.like(decodeTcp(overrun, A, B, { verifyChecksum: false }), {
    ok: false,
    error: { code: 'BAD_OPTION' },
  });
  // an unknown option (kind 30, length 4) is skipped; EOL ends the list
  const unknown = bytes.slice();
  unknown.set([30, 4, 0, 0], 20);
  unknown[36] = 0;
  const d = decodeTcp(unknown, A, B, { verifyChecksum: false });
  t.true(d.ok);
  if (d.ok) t.deepEqual(d.value.options, { sackPermitted: true, timestamp: { value: 1, echo: 0 } });
});

test('TCP: SACK blocks are clipped to the option space', (t) => {
  const sack = [1, 2, 3, 4].map((i) => ({ left: i * 1000, right: i * 1000 + 500 }));
  const seg = { ...syn, flags: TcpFlag.ACK, options: { timestamp: { value: 5, echo: 6 }, sack } };
  const d = decodeTcp(encodeTcp(seg, A, B), A, B);
  t.true(d.ok);
  if (d.ok) t.deepEqual(d.value.options.sack, sack.slice(0, 3));
  const noTs = decodeTcp(encodeTcp({ ...seg, options: { sack } }, A, B), A, B);
  if (noTs.ok) t.deepEqual(noTs.value.options.sack, sack);
  else t.fail(noTs.error.message);
});

test('decodeFrame goes as deep as it can', (t) => {
  const srcMac = parseMac('02:00:00:00:00:02');
  const dstMac = parseMac('02:00:00:00:00:01');
  const data = new TextEncoder().encode('hello');
  const frame = encodeTcpFrame(
    { srcMac, dstMac, src: B, dst: A },
    { ...syn, flags: TcpFlag.ACK | TcpFlag.PSH, payload: data },
  );
  const d = decodeFrame(frame);
  t.true(d.ok);
  if (!d.ok) return;
  t.is(d.value.ip?.protocol, IpProtocol.TCP);
  t.deepEqual(d.value.tcp?.payload, data);
  t.is(d.value.error, undefined);
  frame[frame.length - 1]! ^= 0xff;
  t.like(decodeFrame(frame), {
    ok: true,
    value: { error: { layer: 'tcp', code: 'BAD_CHECKSUM' } },
  });
  const ping = encodeIcmpEchoFrame(
    { srcMac, dstMac, src: B, dst: A },
    { type: 8, code: 0, id: 1, seq: 2, data },
  );
  t.like(decodeFrame(ping), { ok: true, value: { icmp: { id: 1, seq: 2 } } });
  t.like(decodeFrame(new Uint8Array(5)), { ok: false, error: { code: 'TRUNCATED' } });
});
