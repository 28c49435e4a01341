/** The runner's lines on the terminal: current fault, elapsed time, results so far. */
export interface Tally {
  pass: number;
  fail: number;
  error: number;
  degraded: number;
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
  return `[${elapsed(o.elapsedMs)}] fault ${o.index}/${o.total} ${o.kind}: ${o.phase}  (so far: ${t.pass} ok, ${t.fail} broken, ${t.degraded} degraded, ${t.error} errors)`;
}
