export * from './arp-cache.ts';
export * from './arp-pending.ts';
export * from './counters.ts';
export * from './interface.ts';
