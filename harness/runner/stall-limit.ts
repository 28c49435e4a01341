/**
 * The longest stall a fault iteration may show. The plan's max_stall_ms is the
 * recovery budget; a fault that cuts the peers off by design while the chassis
 * holds on (a pulled front cable) adds what TCP makes of an outage of H ms:
 * the outage itself; the retransmission timer doubles on every try, so the
 * first retransmission after the outage comes up to H ms after it ends; and
 * an ACK of a retransmitted segment gives no RTT sample (Karn), so the timer
 * stays backed off (up to 2H) for the next segment lost in the outage. Seen
 * on the virtual chassis: a 2 s pull, a Linux peer, 5.5 s without progress.
 */
import { FAULTS } from '../faults/index.ts';
import type { FaultKind } from '../plan/schema.ts';

export interface StallLimit {
  ms: number;
  /** Why the limit differs from the plan's, for the evidence text. */
  why?: string;
}

export function stallLimitFor(
  record: { kind: FaultKind; holdMs?: number },
  maxStallMs: number,
): StallLimit {
  const fault = FAULTS[record.kind];
  const outage = fault.outageMs?.({
    ...(record.holdMs !== undefined ? { hold_ms: record.holdMs } : {}),
  });
  if (!outage) return { ms: maxStallMs };
  return {
    ms: maxStallMs + 4 * outage,
    why: `${maxStallMs} ms + ${outage} ms outage by design + ${3 * outage} ms TCP back-off`,
  };
}
