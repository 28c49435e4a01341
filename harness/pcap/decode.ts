/**
 * From a captured frame to an IPv4 TCP segment: the link layer by link type
 * (Ethernet and 802.1Q through stack/wire; Linux cooked SLL and SLL2 headers
 * here, as `tcpdump -i any` writes them), then IPv4 and TCP with stack/wire's
 * codecs. Checksums are not verified: with checksum offload a capture on the
 * sending host holds frames whose checksum the NIC fills in later.
 */
import {
  decodeTcp,
  EthernetView,
  EtherType,
  IpProtocol,
  Ipv4View,
} from '../../stack/wire/index.ts';
import type { TcpSegment } from '../../stack/wire/tcp-types.ts';
import { type CaptureFrame, LinkType } from './frame.ts';

export interface TcpPacket {
  frame: number;
  timeMs: number;
  /** IPv4 addresses, unsigned 32-bit. */
  src: number;
  dst: number;
  seg: TcpSegment;
}

/** Why a frame is not a TCP segment: skipped quietly, or undecodable (counted, reported). */
export type NotTcp = { skip: 'not-ipv4' | 'not-tcp' | 'fragment' } | { undecodable: string };

const SLL_HEADER = 16;
const SLL2_HEADER = 20;

function ipPayloadOf(frame: CaptureFrame): Uint8Array | NotTcp {
  const data = frame.data;
  switch (frame.linkType) {
    case LinkType.ETHERNET: {
      const eth = EthernetView.wrap(data);
      if (!eth.ok) return { undecodable: eth.error.message };
      return eth.value.etherType === EtherType.IPV4 ? eth.value.payload : { skip: 'not-ipv4' };
    }
    case LinkType.LINUX_SLL:
      if (data.length < SLL_HEADER) return { undecodable: `SLL header needs ${SLL_HEADER} bytes` };
      return data.readUInt16BE(14) === EtherType.IPV4
        ? data.subarray(SLL_HEADER)
        : { skip: 'not-ipv4' };
    case LinkType.LINUX_SLL2:
      if (data.length < SLL2_HEADER)
        return { undecodable: `SLL2 header needs ${SLL2_HEADER} bytes` };
      return data.readUInt16BE(0) === EtherType.IPV4
        ? data.subarray(SLL2_HEADER)
        : { skip: 'not-ipv4' };
    case LinkType.RAW:
    case LinkType.IPV4:
      return data.length > 0 && data[0]! >>> 4 === 4 ? data : { skip: 'not-ipv4' };
    default:
      return { undecodable: `unsupported link type ${frame.linkType}` };
  }
}

export function decodeTcpPacket(frame: CaptureFrame): TcpPacket | NotTcp {
  const payload = ipPayloadOf(frame);
  if (!(payload instanceof Uint8Array)) return payload;
  const ip = Ipv4View.wrap(payload, { verifyChecksum: false });
  if (!ip.ok) {
    const snapped = frame.data.length < frame.originalLength ? ' (cut by the snap length)' : '';
    return { undecodable: `IPv4: ${ip.error.message}${snapped}` };
  }
  const v = ip.value;
  if (v.protocol !== IpProtocol.TCP) return { skip: 'not-tcp' };
  if (v.isFragment) return { skip: 'fragment' };
  const src = v.src;
  const dst = v.dst;
  const tcp = decodeTcp(v.payload, src, dst, { verifyChecksum: false });
  if (!tcp.ok) return { undecodable: `TCP: ${tcp.error.message}` };
  return { frame: frame.number, timeMs: frame.timeMs, src, dst, seg: tcp.value };
}
