/** The crash points a campaign draws from: every kind of record boundary. */
import type { SimOptions } from './world.ts';

export const CRASH_KINDS = [
  'tcp:segment',
  'tcp:send',
  'tcp:consume',
  'tcp:timer',
  'tcp:shutdown',
  'socket-data:delivered',
  'socket-data:written',
  'consumed',
  'snapshot',
  'closed',
] as const;

/** Rare kinds crash at an early occurrence so the run surely reaches it. */
const RARE = new Set<string>(['tcp:timer', 'tcp:shutdown', 'closed', 'snapshot']);
const VERY_RARE = new Set<string>(['closed', 'tcp:timer']);

/** The simulation a campaign runs for `seed`: crash kind, occurrence, loss and IPC in flight from the seed. */
export function campaignCase(seed: number): SimOptions {
  const kind = CRASH_KINDS[seed % CRASH_KINDS.length]!;
  const mix = Math.imul(seed ^ 0x9e3779b9, 0x85ebca6b) >>> 0;
  const nth = 1 + (VERY_RARE.has(kind) ? mix % 2 : RARE.has(kind) ? mix % 4 : mix % 60);
  // Without loss few timers fire on SSO connections (delayed ACKs, TIME-WAIT): add some.
  const losses = kind === 'tcp:timer' ? [0.01, 0.02, 0.03, 0.03] : [0, 0, 0.01, 0.03];
  const loss = losses[(mix >>> 8) % 4]!;
  // Half the cases also snapshot connections mid-stream, as resyncs do.
  const resync = ((mix >>> 13) & 1) === 1 ? { resyncEveryMs: 5 + ((mix >>> 14) % 40) } : {};
  return {
    seed,
    loss,
    crash: { kind, nth, inFlightDelivered: ((mix >>> 12) & 1) === 1 },
    ...resync,
  };
}

export function describeCase(o: SimOptions): string {
  const c = o.crash;
  return `seed ${o.seed}: crash after ${c ? `${c.kind} #${c.nth}${c.inFlightDelivered ? '' : ', IPC in flight lost'}` : 'never'}, loss ${o.loss ?? 0}${o.resyncEveryMs ? `, a snapshot every ${o.resyncEveryMs} ms` : ''}`;
}
