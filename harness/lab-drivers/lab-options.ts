/** Shared by the lab verbs: load the lab, refuse when someone else holds it. */
import { defaultOwner, describeLease, LeaseError, whoHolds } from '../../drivers/lease/lease.ts';
import { DEFAULT_LAB_FILE, loadLab } from '../lab/load.ts';
import type { Lab } from '../lab/schema.ts';
import { leaseFile } from './from-lab.ts';

export const LAB_OPTION_HELP = 'lab file (default: testplans/labs/virtual.yaml)';

export function openLab(file: string | undefined): Lab {
  return loadLab(file ?? DEFAULT_LAB_FILE);
}

/** Changing a lab that another owner has leased is refused, naming the holder. */
export function refuseIfLeasedByOther(lab: Lab): void {
  const holder = whoHolds(leaseFile(lab));
  if (holder && holder.owner !== defaultOwner())
    throw new LeaseError(
      'LEASE_HELD',
      `lab ${lab.name} is held by ${describeLease(holder)}`,
      holder,
    );
}

/** "10s", "500ms", "2m", "1h" or plain seconds → milliseconds. */
export function parseDuration(text: string): number {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m|h)?$/.exec(text.trim());
  if (!m) throw new Error(`bad duration "${text}" (use e.g. 10s, 500ms, 2m)`);
  const n = Number(m[1]);
  const unit = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 }[(m[2] ?? 's') as 'ms' | 's' | 'm' | 'h'];
  return Math.round(n * unit);
}
