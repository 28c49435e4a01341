/**
 * A daemon that does not own the chassis address (the HA standby) learns the peers' MACs from
 * the ARP it sees on the front, and never answers ARP for the chassis address.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import test from 'ava';
import { MemoryLink } from '../link/memory-link.ts';
import { TimerScheduler } from '../link/scheduler.ts';
import {
  arpRequestFrame,
  encodeEthernet,
  formatMac,
  gratuitousArpFrame,
  parseIpv4,
  parseMac,
} from '../wire/index.ts';
import { startDaemon } from './daemon.ts';

const OWN_IP = parseIpv4('198.18.2.1');

test('standby: learns peers from requests and gratuitous ARPs, answers none', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'hlrpd-parp-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const config = join(dir, 'rpd.yaml');
  writeFileSync(
    config,
    `slot: 1\nfront: { tap: hl7, address: 198.18.2.1/24, mac: "02:00:5e:10:00:01" }\nrun_dir: ${dir}\n`,
  );
  const scheduler = new TimerScheduler();
  t.teardown(() => scheduler.cancelAll());
  const [daemonSide, peer] = MemoryLink.pair({ scheduler });
  const seen: Uint8Array[] = [];
  peer.onFrames((f) => seen.push(...f));
  const board = await startDaemon(config, {
    link: daemonSide,
    log: () => {},
    handleSignals: false,
    attach: [(b) => b.ip.setOwner(false)],
  });
  t.teardown(() => board.stop('test end'));
  const peerA = { ip: parseIpv4('198.18.2.2'), mac: parseMac('02:00:00:00:00:02') };
  const peerB = { ip: parseIpv4('198.18.2.3'), mac: parseMac('02:00:00:00:00:03') };
  const offNet = { ip: parseIpv4('198.19.9.9'), mac: parseMac('02:00:00:00:00:09') };
  // a peer asks for the chassis address (the active answers, not us); another announces itself
  peer.send(encodeEthernet(arpRequestFrame(peerA.mac, peerA.ip, OWN_IP)));
  peer.send(encodeEthernet(gratuitousArpFrame(peerB.mac, peerB.ip)));
  peer.send(encodeEthernet(gratuitousArpFrame(offNet.mac, offNet.ip)));
  // the mate's own gratuitous ARP for the chassis address: not a neighbour to learn
  peer.send(encodeEthernet(gratuitousArpFrame(parseMac('02:00:5e:10:00:01'), OWN_IP)));
  const deadline = Date.now() + 5000;
  while (board.ip.counters.snapshot().rx < 4 && Date.now() < deadline)
    await new Promise((r) => setTimeout(r, 5));
  const cache = new Map(board.ip.arpCache.list().map((e) => [e.ip, formatMac(e.mac)]));
  t.is(cache.get(peerA.ip), '02:00:00:00:00:02');
  t.is(cache.get(peerB.ip), '02:00:00:00:00:03');
  t.false(cache.has(offNet.ip), 'off the front subnet');
  t.false(cache.has(OWN_IP), 'never the chassis address');
  // give a reply time to come out if one were sent
  await new Promise((r) => setTimeout(r, 50));
  t.is(seen.length, 0, 'a standby never answers ARP for the chassis address');
  // after takeover the first segment to a learned peer needs no ARP round trip
  board.ip.setOwner(true);
  const sent = board.ip.sendTcp(
    peerA.ip,
    {
      srcPort: 7,
      dstPort: 40000,
      seq: 1,
      ack: 1,
      flags: 0x10,
      window: 1000,
      urgent: 0,
      options: {},
      payload: new Uint8Array(0),
    },
    Math.floor(performance.now()),
  );
  t.is(sent, 'sent');
});
