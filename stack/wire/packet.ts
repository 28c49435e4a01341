/** Whole frames: one call to decode every layer we know, and builders for the frames the stack sends. */
import { type ArpPacket, decodeArp } from './arp.ts';
import { decodeEthernet, type EthernetFrame, EtherType, writeEthernetHeader } from './ethernet.ts';
import { decodeIcmpEcho, encodeIcmpEcho, type IcmpEcho, IcmpType } from './icmp.ts';
import {
  decodeIpv4,
  IPV4_HEADER_LENGTH,
  IpProtocol,
  type Ipv4Header,
  type Ipv4Packet,
  writeIpv4Header,
} from './ipv4.ts';
import { setFrameGsoSize } from './offload.ts';
import type { Decoded, WireProblem } from './result.ts';
import { decodeTcp, encodedTcpLength, writeTcp } from './tcp.ts';
import type { TcpSegment } from './tcp-types.ts';

export interface DecodedFrame {
  eth: EthernetFrame;
  arp?: ArpPacket;
  ip?: Ipv4Packet;
  icmp?: IcmpEcho;
  tcp?: TcpSegment;
  /** The first layer that failed to decode, if any; the layers above it are absent. */
  error?: WireProblem & { layer: 'ethernet' | 'arp' | 'ipv4' | 'icmp' | 'tcp' };
}

export interface FrameDecodeOptions {
  verifyChecksum?: boolean;
}

/**
 * Decode as deep as possible. Fails only when the Ethernet header itself is
 * unreadable; a failure further up is reported in `error` with the layers below.
 */
export function decodeFrame(
  bytes: Uint8Array,
  options: FrameDecodeOptions = {},
): Decoded<DecodedFrame> {
  const eth = decodeEthernet(bytes);
  if (!eth.ok) return eth;
  const out: DecodedFrame = { eth: eth.value };
  if (eth.value.etherType === EtherType.ARP) {
    const arp = decodeArp(eth.value.payload);
    if (arp.ok) out.arp = arp.value;
    else out.error = { ...arp.error, layer: 'arp' };
  } else if (eth.value.etherType === EtherType.IPV4) {
    const ip = decodeIpv4(eth.value.payload, options);
    if (!ip.ok) {
      out.error = { ...ip.error, layer: 'ipv4' };
    } else {
      out.ip = ip.value;
      if (!ip.value.isFragment) decodeUpper(out, ip.value, options);
    }
  }
  return { ok: true, value: out };
}

function decodeUpper(out: DecodedFrame, ip: Ipv4Packet, options: FrameDecodeOptions): void {
  if (ip.protocol === IpProtocol.TCP) {
    const tcp = decodeTcp(ip.payload, ip.src, ip.dst, options);
    if (tcp.ok) out.tcp = tcp.value;
    else out.error = { ...tcp.error, layer: 'tcp' };
  } else if (ip.protocol === IpProtocol.ICMP) {
    const icmp = decodeIcmpEcho(ip.payload, options);
    if (icmp.ok) out.icmp = icmp.value;
    else out.error = { ...icmp.error, layer: 'icmp' };
  }
}

export interface Ipv4FrameHeader extends Ipv4Header {
  srcMac: Uint8Array;
  dstMac: Uint8Array;
}

/**
 * Ethernet + IPv4 + TCP in one buffer: the start of `into` when it is long enough (every byte
 * of the frame is written, so a reused buffer needs no clearing), else a new one.
 */
export function encodeTcpFrame(
  h: Omit<Ipv4FrameHeader, 'protocol'>,
  segment: TcpSegment,
  into?: Uint8Array,
): Uint8Array {
  const tcpLength = encodedTcpLength(segment);
  const length = 14 + IPV4_HEADER_LENGTH + tcpLength;
  const out =
    into !== undefined && into.length >= length ? into.subarray(0, length) : new Uint8Array(length);
  writeEthernetHeader(out, h.dstMac, h.srcMac, EtherType.IPV4);
  writeIpv4Header(out, 14, { ...h, protocol: IpProtocol.TCP }, tcpLength);
  writeTcp(out, 14 + IPV4_HEADER_LENGTH, segment, h.src, h.dst);
  const gso = segment.gsoSize;
  if (gso !== undefined && gso > 0 && segment.payload.length > gso) setFrameGsoSize(out, gso);
  return out;
}

/** Ethernet + IPv4 + ICMP echo in one buffer. */
export function encodeIcmpEchoFrame(
  h: Omit<Ipv4FrameHeader, 'protocol'>,
  echo: IcmpEcho,
): Uint8Array {
  const icmp = encodeIcmpEcho(echo);
  const out = new Uint8Array(14 + IPV4_HEADER_LENGTH + icmp.length);
  writeEthernetHeader(out, h.dstMac, h.srcMac, EtherType.IPV4);
  writeIpv4Header(out, 14, { ...h, protocol: IpProtocol.ICMP }, icmp.length);
  out.set(icmp, 14 + IPV4_HEADER_LENGTH);
  return out;
}

export { IcmpType };
