import { isDeepStrictEqual } from 'node:util';
import test from 'ava';
import fc from 'fast-check';
import {
  decodeArp,
  decodeEthernet,
  decodeFrame,
  decodeIcmpEcho,
  decodeIpv4,
  decodeTcp,
  encodeArp,
  encodeEthernet,
  encodeIcmpEcho,
  encodeIpv4,
  encodeTcp,
  formatIpv4,
  formatMac,
  parseIpv4,
  parseMac,
  type TcpOptions,
  type TcpSegment,
} from './index.ts';

const u32 = fc.integer({ min: 0, max: 0xffffffff });
const u16 = fc.integer({ min: 0, max: 0xffff });
const u8 = fc.integer({ min: 0, max: 255 });
const mac = fc.uint8Array({ minLength: 6, maxLength: 6 });
const bytes = (max: number) => fc.uint8Array({ maxLength: max });
const seed = Number(process.env.FC_SEED ?? 4242);
const runs = { seed, numRuns: 500 };
const plain = { noNullPrototype: true } as const;

const optionsArb: fc.Arbitrary<TcpOptions> = fc
  .record(
    {
      mss: u16,
      wscale: fc.integer({ min: 0, max: 14 }),
      sackPermitted: fc.constant(true),
      timestamp: fc.record({ value: u32, echo: u32 }, plain),
      sack: fc.array(fc.record({ left: u32, right: u32 }, plain), { minLength: 1, maxLength: 4 }),
    },
    { requiredKeys: [], noNullPrototype: true },
  )
  .map((o) => {
    // keep only SACK blocks that fit beside the other options, as the encoder does
    if (!o.sack) return o;
    const used =
      (o.mss !== undefined ? 4 : 0) +
      (o.timestamp ? 12 : o.sackPermitted ? 4 : 0) +
      (o.wscale !== undefined ? 4 : 0);
    const room = Math.floor((40 - used - 4) / 8);
    if (room < 1) {
      const { sack: _, ...rest } = o;
      return rest;
    }
    return { ...o, sack: o.sack.slice(0, room) };
  });

const segmentArb: fc.Arbitrary<TcpSegment> = fc.record(
  {
    srcPort: u16,
    dstPort: u16,
    seq: u32,
    ack: u32,
    flags: u8,
    window: u16,
    urgent: u16,
    options: optionsArb,
    payload: bytes(1500),
  },
  plain,
);

test('TCP round-trips through encode and decode with a valid checksum', (t) => {
  fc.assert(
    fc.property(segmentArb, u32, u32, (seg, src, dst) => {
      const d = decodeTcp(encodeTcp(seg, src, dst), src, dst);
      return d.ok && isDeepStrictEqual(d.value, seg);
    }),
    runs,
  );
  t.pass();
});

test('IPv4, Ethernet, ARP and ICMP round-trip', (t) => {
  fc.assert(
    fc.property(
      u32,
      u32,
      u8,
      u16,
      fc.integer({ min: 1, max: 255 }),
      bytes(1480),
      (src, dst, protocol, id, ttl, payload) => {
        const d = decodeIpv4(encodeIpv4({ src, dst, protocol, id, ttl }, payload));
        return (
          d.ok &&
          d.value.src === src &&
          d.value.dst === dst &&
          d.value.id === id &&
          d.value.ttl === ttl &&
          Buffer.from(d.value.payload).equals(payload)
        );
      },
    ),
    runs,
  );
  fc.assert(
    fc.property(
      mac,
      mac,
      u16,
      bytes(100),
      fc.option(
        fc.record(
          {
            pcp: fc.integer({ min: 0, max: 7 }),
            dei: fc.boolean(),
            id: fc.integer({ min: 0, max: 4095 }),
          },
          plain,
        ),
        { nil: undefined },
      ),
      (dst, src, etherType, payload, vlan) => {
        if (etherType === 0x8100) return true;
        const frame = vlan
          ? { dst, src, vlan, etherType, payload }
          : { dst, src, etherType, payload };
        const d = decodeEthernet(encodeEthernet(frame));
        return d.ok && isDeepStrictEqual(d.value, frame);
      },
    ),
    runs,
  );
  fc.assert(
    fc.property(u16, mac, u32, mac, u32, (op, senderMac, senderIp, targetMac, targetIp) => {
      const d = decodeArp(encodeArp({ op, senderMac, senderIp, targetMac, targetIp }));
      return (
        d.ok &&
        d.value.op === op &&
        d.value.senderIp === senderIp &&
        d.value.targetIp === targetIp &&
        formatMac(d.value.senderMac) === formatMac(senderMac) &&
        formatMac(d.value.targetMac) === formatMac(targetMac)
      );
    }),
    runs,
  );
  fc.assert(
    fc.property(fc.constantFrom(0, 8), u16, u16, bytes(200), (type, id, seq, data) => {
      const d = decodeIcmpEcho(encodeIcmpEcho({ type, code: 0, id, seq, data }));
      return (
        d.ok && d.value.id === id && d.value.seq === seq && Buffer.from(d.value.data).equals(data)
      );
    }),
    runs,
  );
  t.pass();
});

test('address text forms round-trip', (t) => {
  fc.assert(
    fc.property(u32, (n) => parseIpv4(formatIpv4(n)) === n),
    runs,
  );
  fc.assert(
    fc.property(mac, (m) => formatMac(parseMac(formatMac(m))) === formatMac(m)),
    runs,
  );
  t.pass();
});

test('a single flipped bit in a TCP segment is caught by the checksum', (t) => {
  fc.assert(
    fc.property(
      segmentArb,
      u32,
      u32,
      fc.nat(),
      fc.integer({ min: 0, max: 7 }),
      (seg, src, dst, at, bit) => {
        const b = encodeTcp(seg, src, dst);
        b[at % b.length]! ^= 1 << bit;
        const d = decodeTcp(b, src, dst);
        return !d.ok;
      },
    ),
    runs,
  );
  t.pass();
});

test('decoders never throw on arbitrary bytes', (t) => {
  fc.assert(
    fc.property(bytes(200), u32, u32, (b, src, dst) => {
      decodeFrame(b);
      decodeFrame(b, { verifyChecksum: false });
      decodeIpv4(b, { verifyChecksum: false });
      decodeTcp(b, src, dst, { verifyChecksum: false });
      decodeArp(b);
      decodeIcmpEcho(b, { verifyChecksum: false });
      return true;
    }),
    { seed, numRuns: 5000 },
  );
  t.pass();
});
