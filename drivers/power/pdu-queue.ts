/**
 * One queue per PDU: many PDUs serve one SNMP session at a time and drop or
 * reorder concurrent sets, so every operation on one device runs in turn.
 */
const tails = new Map<string, Promise<unknown>>();

export function enqueue<T>(device: string, job: () => Promise<T>): Promise<T> {
  const prev = tails.get(device) ?? Promise.resolve();
  const run = prev.then(job, job);
  const tail = run.catch(() => undefined);
  tails.set(device, tail);
  void tail.then(() => {
    if (tails.get(device) === tail) tails.delete(device);
  });
  return run;
}
