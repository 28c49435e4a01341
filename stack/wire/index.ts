/** Public API of the wire codecs (pure; shared by the stack and the capture analyser). */
export * from './address.ts';
export * from './arp.ts';
export * from './checksum.ts';
export * from './ethernet.ts';
export * from './icmp.ts';
export * from './ipv4.ts';
export * from './offload.ts';
export * from './packet.ts';
export * from './result.ts';
export * from './tcp.ts';
export * from './tcp-options.ts';
export * from './tcp-types.ts';
