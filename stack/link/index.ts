export * from './link.ts';
export * from './memory-link.ts';
export * from './prng.ts';
export * from './scheduler.ts';
export * from './tap-link.ts';
