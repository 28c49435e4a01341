/** The runner's lines on the terminal: current fault, elapsed time, results so far. */
export interface Tally {
  /** Faults injected and healed. */
  done: number;
  /** Faults that could not be completed. */
  errors: number;
  /** Errors the peer agents reported so far (resets, closes, mismatches). */
  peerErrors: number;
  /** Stalls the peer agents reported longer than the plan's max_stall_ms. */
  longStalls?: number;
}

export function elapsed(ms: number): string {
  const s = Math.floor(ms / 1000);
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')}`;
}

export function faultLine(o: {
  index: number;
  total: number;
  kind: string;
  elapsedMs: number;
  tally: Tally;
  phase: string;
}): string {
  const t = o.tally;
  return `[${elapsed(o.elapsedMs)}] fault ${o.index}/${o.total} ${o.kind}: ${o.phase}  (so far: ${t.done} done, ${t.errors} not completed, ${t.peerErrors} peer errors${t.longStalls !== undefined ? `, ${t.longStalls} long stalls` : ''})`;
}
