/**
 * A board that does not own the chassis address (the standby) still listens to the ARP it sees
 * on the front: requests, replies and gratuitous ARPs teach it the peers' MACs, so after a
 * takeover its first segments go out at once instead of waiting for an ARP round trip. It only
 * learns here; answering stays the owner's job (IpInterface answers only while it owns).
 */
import type { IpInterface } from '../ip/interface.ts';
import { ArpOp, decodeArp, EthernetView, EtherType } from '../wire/index.ts';

export function arpLearner(ip: IpInterface, prefixLength: number) {
  const mask = prefixLength === 0 ? 0 : (0xffffffff << (32 - prefixLength)) >>> 0;
  let learned = 0;
  return {
    /** Call with every received frame; does nothing while this board owns the address. */
    observe(frame: Uint8Array, now: number): void {
      if (ip.isOwner) return;
      const eth = EthernetView.wrap(frame);
      if (!eth.ok || eth.value.hasVlan || eth.value.etherType !== EtherType.ARP) return;
      const d = decodeArp(eth.value.payload);
      if (!d.ok) return;
      const { op, senderIp, senderMac } = d.value;
      if (op !== ArpOp.REQUEST && op !== ArpOp.REPLY) return;
      // only neighbours on the front subnet, never the chassis address itself (that is the mate)
      if (senderIp === 0 || senderIp === ip.address) return;
      if (((senderIp ^ ip.address) & mask) !== 0) return;
      ip.arpCache.learn(senderIp, senderMac, now);
      learned++;
    },
    get learned(): number {
      return learned;
    },
  };
}
