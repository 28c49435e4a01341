/** ARP for IPv4 over Ethernet: requests, replies and gratuitous announcements. */
import { BROADCAST_MAC, ZERO_MAC } from './address.ts';
import { type EthernetFrame, EtherType } from './ethernet.ts';
import { type Decoded, fail, ok, put16, put32, u16, u32 } from './result.ts';

export const ArpOp = { REQUEST: 1, REPLY: 2 } as const;

export interface ArpPacket {
  op: number;
  senderMac: Uint8Array;
  senderIp: number;
  targetMac: Uint8Array;
  targetIp: number;
}

export const ARP_LENGTH = 28;

/** Bounds-checked view over an Ethernet/IPv4 ARP packet. */
export class ArpView {
  private constructor(readonly bytes: Uint8Array) {}

  static wrap(bytes: Uint8Array): Decoded<ArpView> {
    if (bytes.length < ARP_LENGTH) {
      return fail('TRUNCATED', `ARP packet of ${bytes.length} bytes, needs 28`, 0);
    }
    if (u16(bytes, 0) !== 1) return fail('UNSUPPORTED', `ARP hardware type ${u16(bytes, 0)}`, 0);
    if (u16(bytes, 2) !== EtherType.IPV4) {
      return fail('UNSUPPORTED', `ARP protocol type 0x${u16(bytes, 2).toString(16)}`, 2);
    }
    if (bytes[4] !== 6 || bytes[5] !== 4) {
      return fail('BAD_LENGTH', `ARP address lengths ${bytes[4]}/${bytes[5]}, expected 6/4`, 4);
    }
    return ok(new ArpView(bytes));
  }

  get op(): number {
    return u16(this.bytes, 6);
  }
  get senderMac(): Uint8Array {
    return this.bytes.subarray(8, 14);
  }
  get senderIp(): number {
    return u32(this.bytes, 14);
  }
  get targetMac(): Uint8Array {
    return this.bytes.subarray(18, 24);
  }
  get targetIp(): number {
    return u32(this.bytes, 24);
  }

  toRecord(): ArpPacket {
    return {
      op: this.op,
      senderMac: this.senderMac,
      senderIp: this.senderIp,
      targetMac: this.targetMac,
      targetIp: this.targetIp,
    };
  }
}

export function decodeArp(bytes: Uint8Array): Decoded<ArpPacket> {
  const view = ArpView.wrap(bytes);
  return view.ok ? ok(view.value.toRecord()) : view;
}

export function encodeArp(p: ArpPacket): Uint8Array {
  const out = new Uint8Array(ARP_LENGTH);
  put16(out, 0, 1);
  put16(out, 2, EtherType.IPV4);
  out[4] = 6;
  out[5] = 4;
  put16(out, 6, p.op);
  out.set(p.senderMac.subarray(0, 6), 8);
  put32(out, 14, p.senderIp);
  out.set(p.targetMac.subarray(0, 6), 18);
  put32(out, 24, p.targetIp);
  return out;
}

/** A broadcast who-has request, as an Ethernet frame record. */
export function arpRequestFrame(
  senderMac: Uint8Array,
  senderIp: number,
  targetIp: number,
): EthernetFrame {
  return {
    dst: BROADCAST_MAC,
    src: senderMac,
    etherType: EtherType.ARP,
    payload: encodeArp({ op: ArpOp.REQUEST, senderMac, senderIp, targetMac: ZERO_MAC, targetIp }),
  };
}

/** A unicast is-at reply to `request`, as an Ethernet frame record. */
export function arpReplyFrame(
  ownMac: Uint8Array,
  ownIp: number,
  request: ArpPacket,
): EthernetFrame {
  return {
    dst: request.senderMac,
    src: ownMac,
    etherType: EtherType.ARP,
    payload: encodeArp({
      op: ArpOp.REPLY,
      senderMac: ownMac,
      senderIp: ownIp,
      targetMac: request.senderMac,
      targetIp: request.senderIp,
    }),
  };
}

/**
 * Gratuitous ARP in request form (sender and target address both ours,
 * broadcast): Linux updates an existing neighbour entry from it and switches
 * relearn the port of the source MAC.
 */
export function gratuitousArpFrame(mac: Uint8Array, ip: number): EthernetFrame {
  return {
    dst: BROADCAST_MAC,
    src: mac,
    etherType: EtherType.ARP,
    payload: encodeArp({
      op: ArpOp.REQUEST,
      senderMac: mac,
      senderIp: ip,
      targetMac: ZERO_MAC,
      targetIp: ip,
    }),
  };
}

export function isGratuitousArp(p: ArpPacket): boolean {
  return p.senderIp === p.targetIp;
}
