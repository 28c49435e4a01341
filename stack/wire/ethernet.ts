/** Ethernet II frames with an optional 802.1Q tag. */
import { type Decoded, fail, ok, put16, u16 } from './result.ts';

export const EtherType = {
  IPV4: 0x0800,
  ARP: 0x0806,
  VLAN: 0x8100,
  IPV6: 0x86dd,
} as const;

export interface VlanTag {
  /** Priority code point, 0..7. */
  pcp: number;
  /** Drop eligible indicator. */
  dei: boolean;
  /** VLAN identifier, 0..4095. */
  id: number;
}

export interface EthernetFrame {
  dst: Uint8Array;
  src: Uint8Array;
  vlan?: VlanTag;
  etherType: number;
  payload: Uint8Array;
}

export const ETHERNET_HEADER_LENGTH = 14;

/** Bounds-checked view: fields are read from the bytes on demand, without copying. */
export class EthernetView {
  private constructor(
    readonly bytes: Uint8Array,
    /** Offset of the payload: 14, or 18 with a VLAN tag. */
    readonly headerLength: number,
  ) {}

  static wrap(bytes: Uint8Array): Decoded<EthernetView> {
    if (bytes.length < ETHERNET_HEADER_LENGTH) {
      return fail('TRUNCATED', `Ethernet frame of ${bytes.length} bytes, header needs 14`, 0);
    }
    if (u16(bytes, 12) === EtherType.VLAN) {
      if (bytes.length < 18) {
        return fail('TRUNCATED', `802.1Q frame of ${bytes.length} bytes, header needs 18`, 14);
      }
      return ok(new EthernetView(bytes, 18));
    }
    return ok(new EthernetView(bytes, ETHERNET_HEADER_LENGTH));
  }

  get dst(): Uint8Array {
    return this.bytes.subarray(0, 6);
  }
  get src(): Uint8Array {
    return this.bytes.subarray(6, 12);
  }
  get hasVlan(): boolean {
    return this.headerLength === 18;
  }
  get vlan(): VlanTag | undefined {
    if (!this.hasVlan) return undefined;
    const tci = u16(this.bytes, 14);
    return { pcp: tci >>> 13, dei: (tci & 0x1000) !== 0, id: tci & 0x0fff };
  }
  get etherType(): number {
    return u16(this.bytes, this.headerLength - 2);
  }
  get payload(): Uint8Array {
    return this.bytes.subarray(this.headerLength);
  }

  toRecord(): EthernetFrame {
    const frame: EthernetFrame = {
      dst: this.dst,
      src: this.src,
      etherType: this.etherType,
      payload: this.payload,
    };
    const vlan = this.vlan;
    if (vlan) frame.vlan = vlan;
    return frame;
  }
}

/** Decode a frame; MACs and payload are views into `bytes` (no copy). */
export function decodeEthernet(bytes: Uint8Array): Decoded<EthernetFrame> {
  const view = EthernetView.wrap(bytes);
  return view.ok ? ok(view.value.toRecord()) : view;
}

/** Encode a frame. No padding to 60 bytes: the TAP and the kernel accept short frames. */
export function encodeEthernet(frame: EthernetFrame): Uint8Array {
  const header = frame.vlan ? 18 : ETHERNET_HEADER_LENGTH;
  const out = new Uint8Array(header + frame.payload.length);
  writeEthernetHeader(out, frame.dst, frame.src, frame.etherType, frame.vlan);
  out.set(frame.payload, header);
  return out;
}

/** Write the header into `out` and return its length, so callers can build a frame in one buffer. */
export function writeEthernetHeader(
  out: Uint8Array,
  dst: Uint8Array,
  src: Uint8Array,
  etherType: number,
  vlan?: VlanTag,
): number {
  out.set(dst.subarray(0, 6), 0);
  out.set(src.subarray(0, 6), 6);
  if (vlan) {
    put16(out, 12, EtherType.VLAN);
    put16(out, 14, ((vlan.pcp & 7) << 13) | (vlan.dei ? 0x1000 : 0) | (vlan.id & 0x0fff));
    put16(out, 16, etherType);
    return 18;
  }
  put16(out, 12, etherType);
  return ETHERNET_HEADER_LENGTH;
}
