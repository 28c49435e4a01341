/**
 * 100,000 random and mutated frames through the receive path: no exception
 * escapes, and every frame is counted once (delivered or dropped by reason).
 */
import test from 'ava';
import { Prng } from '../link/prng.ts';
import {
  arpRequestFrame,
  encodeEthernet,
  encodeIcmpEchoFrame,
  encodeTcpFrame,
  parseIpv4,
  parseMac,
  TcpFlag,
} from '../wire/index.ts';
import { IpInterface } from './interface.ts';

const OWN_IP = parseIpv4('198.18.2.1');
const OWN_MAC = parseMac('02:00:5e:10:00:01');
const PEER_IP = parseIpv4('198.18.2.2');
const PEER_MAC = parseMac('02:00:00:00:00:02');
const FRAMES = 100_000;

function seeds(prng: Prng): Uint8Array[] {
  const h = { srcMac: PEER_MAC, dstMac: OWN_MAC, src: PEER_IP, dst: OWN_IP };
  const payload = new Uint8Array(prng.below(200)).map(() => prng.below(256));
  return [
    encodeEthernet(arpRequestFrame(PEER_MAC, PEER_IP, OWN_IP)),
    encodeIcmpEchoFrame(h, { type: 8, code: 0, id: prng.below(65536), seq: 1, data: payload }),
    encodeTcpFrame(h, {
      srcPort: 40000,
      dstPort: 7,
      seq: prng.below(2 ** 32),
      ack: prng.below(2 ** 32),
      flags: prng.below(256) | TcpFlag.ACK,
      window: 65535,
      urgent: 0,
      options: {
        mss: 1460,
        sackPermitted: true,
        timestamp: { value: 1, echo: 2 },
        wscale: 7,
        sack: [{ left: 1, right: 2 }],
      },
      payload,
    }),
  ];
}

function mutate(frame: Uint8Array, prng: Prng): Uint8Array {
  const out = frame.slice(0, prng.chance(0.2) ? prng.below(frame.length + 1) : frame.length);
  const flips = 1 + prng.below(4);
  for (let i = 0; i < flips && out.length > 0; i++) {
    // favour the headers, where the parsing decisions are
    const at = prng.chance(0.7) ? prng.below(Math.min(out.length, 80)) : prng.below(out.length);
    out[at] = prng.below(256);
  }
  return out;
}

test('fuzz: the receive path never throws and accounts for every frame', (t) => {
  const seed = Number(process.env.FUZZ_SEED ?? 20261127);
  const prng = new Prng(seed);
  let handled = 0;
  const ifc = new IpInterface({ address: OWN_IP, prefixLength: 24, mac: OWN_MAC }, () => true);
  for (let i = 0; i < FRAMES; i++) {
    if (i === FRAMES / 2) ifc.onTcp(() => handled++); // half the run with a TCP handler
    let frame: Uint8Array;
    const kind = prng.below(10);
    if (kind < 2) {
      frame = new Uint8Array(prng.below(120)).map(() => prng.below(256));
    } else {
      const base = seeds(prng)[prng.below(3)]!;
      frame = kind < 9 ? mutate(base, prng) : base;
    }
    try {
      ifc.receive(frame, i);
    } catch (err) {
      t.fail(`seed ${seed}, frame ${i}: receive threw ${(err as Error).message}`);
      return;
    }
    if (i % 1000 === 0) ifc.handle(i);
  }
  const s = ifc.counters.snapshot();
  t.log(`seed ${seed}`, JSON.stringify(s));
  t.is(s.rx, FRAMES);
  t.is(s.rx, s.delivered + s.droppedTotal, `seed ${seed}`);
  t.is(s.dropped['internal-error'], undefined, 'no frame reached an unexpected exception');
  // the mix exercised both acceptance and rejection at several layers
  t.true(s.delivered > 1000);
  t.true(handled > 0);
  for (const reason of [
    'eth-malformed',
    'eth-not-for-us',
    'ip-bad-checksum',
    'tcp-bad-checksum',
    'no-tcp-handler',
  ]) {
    t.true((s.dropped[reason] ?? 0) > 0, `some frames dropped as ${reason}`);
  }
});
