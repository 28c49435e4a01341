/** IPv4 addresses as unsigned 32-bit numbers, MACs as 6-byte arrays, and their text forms. */
import { WireError } from './result.ts';

const IPV4_RE = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/;

/** '198.18.2.1' → 0xc6120201; throws WireError BAD_ADDRESS on anything else. */
export function parseIpv4(text: string): number {
  const m = IPV4_RE.exec(text.trim());
  if (!m) throw new WireError('BAD_ADDRESS', `not an IPv4 address: '${text}'`);
  let n = 0;
  for (let i = 1; i <= 4; i++) {
    const part = Number(m[i]);
    if (part > 255) throw new WireError('BAD_ADDRESS', `not an IPv4 address: '${text}'`);
    n = n * 256 + part;
  }
  return n >>> 0;
}

export function formatIpv4(n: number): string {
  const v = n >>> 0;
  return `${v >>> 24}.${(v >>> 16) & 0xff}.${(v >>> 8) & 0xff}.${v & 0xff}`;
}

export function isIpv4(text: string): boolean {
  try {
    parseIpv4(text);
    return true;
  } catch {
    return false;
  }
}

export interface Ipv4Cidr {
  address: number;
  prefixLength: number;
  /** Network mask as an unsigned 32-bit number. */
  mask: number;
}

/** '198.18.2.1/24' → address, prefix length and mask. */
export function parseIpv4Cidr(text: string): Ipv4Cidr {
  const [addr, prefix, extra] = text.trim().split('/');
  if (
    addr === undefined ||
    prefix === undefined ||
    extra !== undefined ||
    !/^\d{1,2}$/.test(prefix)
  ) {
    throw new WireError('BAD_ADDRESS', `not an IPv4 address/prefix: '${text}'`);
  }
  const prefixLength = Number(prefix);
  if (prefixLength > 32) throw new WireError('BAD_ADDRESS', `prefix length over 32: '${text}'`);
  const mask = prefixLength === 0 ? 0 : (0xffffffff << (32 - prefixLength)) >>> 0;
  return { address: parseIpv4(addr), prefixLength, mask };
}

export const BROADCAST_MAC: Uint8Array = new Uint8Array([0xff, 0xff, 0xff, 0xff, 0xff, 0xff]);
export const ZERO_MAC: Uint8Array = new Uint8Array(6);

const MAC_RE =
  /^([0-9a-f]{2})[:-]([0-9a-f]{2})[:-]([0-9a-f]{2})[:-]([0-9a-f]{2})[:-]([0-9a-f]{2})[:-]([0-9a-f]{2})$/i;

/** '02:00:5e:10:00:01' → 6 bytes; throws WireError BAD_ADDRESS on anything else. */
export function parseMac(text: string): Uint8Array {
  const m = MAC_RE.exec(text.trim());
  if (!m) throw new WireError('BAD_ADDRESS', `not a MAC address: '${text}'`);
  return Uint8Array.from(m.slice(1, 7), (h) => Number.parseInt(h, 16));
}

export function formatMac(mac: Uint8Array): string {
  return Array.from(mac.subarray(0, 6), (b) => b.toString(16).padStart(2, '0')).join(':');
}

export function macEquals(a: Uint8Array, b: Uint8Array): boolean {
  for (let i = 0; i < 6; i++) if (a[i] !== b[i]) return false;
  return true;
}

export function isBroadcastMac(mac: Uint8Array): boolean {
  return macEquals(mac, BROADCAST_MAC);
}

/** Group bit set: broadcast or multicast. */
export function isMulticastMac(mac: Uint8Array): boolean {
  return ((mac[0] ?? 0) & 1) === 1;
}
