/** Decoding captured frames for the HA checks: who speaks for the chassis address. */
import { ArpOp, decodeFrame, formatIpv4, parseIpv4 } from '../../wire/index.ts';
import type { Frame } from './chassis.fixture.ts';

export interface ChassisFrame {
  ms: number;
  kind: 'arp-reply' | 'arp-request' | 'ip';
  detail: string;
}

/** Frames that carry the chassis address as IPv4 source or ARP sender. */
export function framesForAddress(frames: Frame[], address: string): ChassisFrame[] {
  const addr = parseIpv4(address);
  const out: ChassisFrame[] = [];
  for (const f of frames) {
    const d = decodeFrame(new Uint8Array(f.data), { verifyChecksum: false });
    if (!d.ok) continue;
    const { arp, ip } = d.value;
    if (arp && arp.senderIp === addr) {
      out.push({
        ms: f.ms,
        kind: arp.op === ArpOp.REPLY ? 'arp-reply' : 'arp-request',
        detail: `arp op ${arp.op} target ${formatIpv4(arp.targetIp)}`,
      });
    } else if (ip && ip.src === addr) {
      const tcp = d.value.tcp;
      out.push({
        ms: f.ms,
        kind: 'ip',
        detail: tcp
          ? `tcp ${tcp.srcPort}>${formatIpv4(ip.dst)}:${tcp.dstPort} seq ${tcp.seq} len ${tcp.payload.length}`
          : `ip proto ${ip.protocol} to ${formatIpv4(ip.dst)}`,
      });
    }
  }
  return out;
}
