/** `hitless lock | unlock | who`: the lab's lease, by hand. */
import { defaultOwner, describeLease, Lease, unlock, whoHolds } from '../../drivers/lease/lease.ts';
import { leaseFile } from './from-lab.ts';
import { openLab, parseDuration } from './lab-options.ts';

export async function lockVerb(opts: {
  lab?: string;
  ttl: string;
  owner?: string;
  hold?: boolean;
}): Promise<void> {
  const lab = openLab(opts.lab);
  const ttlMs = parseDuration(opts.ttl);
  if (!opts.hold) {
    // held until unlock or expiry; no process stays behind to renew it
    const lease = Lease.acquire({
      file: leaseFile(lab),
      lab: lab.name,
      owner: opts.owner,
      ttlMs,
      pid: 0,
      renewMs: 0,
    });
    process.stdout.write(`lab ${lab.name} locked by ${describeLease(lease.info)}\n`);
    return;
  }
  const lease = Lease.acquire({
    file: leaseFile(lab),
    lab: lab.name,
    owner: opts.owner,
    ttlMs,
    onLost: (by) => {
      process.stderr.write(`lease lost${by ? ` to ${describeLease(by)}` : ''}\n`);
      process.exit(2);
    },
  });
  process.stdout.write(
    `lab ${lab.name} locked by ${describeLease(lease.info)}; Ctrl-C releases it\n`,
  );
  await new Promise<void>((resolve) => {
    const keep = setInterval(() => {}, 60_000);
    const done = () => {
      clearInterval(keep);
      resolve();
    };
    process.once('SIGINT', done);
    process.once('SIGTERM', done);
  });
  lease.release();
  process.stdout.write(`lab ${lab.name} unlocked\n`);
}

export async function unlockVerb(opts: {
  lab?: string;
  owner?: string;
  force?: boolean;
}): Promise<void> {
  const lab = openLab(opts.lab);
  const removed = unlock(leaseFile(lab), {
    owner: opts.owner ?? defaultOwner(),
    force: opts.force,
  });
  process.stdout.write(
    removed
      ? `lab ${lab.name} unlocked (was ${describeLease(removed)})\n`
      : `lab ${lab.name} was not locked\n`,
  );
}

export async function whoVerb(opts: { lab?: string; json?: boolean }): Promise<void> {
  const lab = openLab(opts.lab);
  const holder = whoHolds(leaseFile(lab));
  if (opts.json)
    process.stdout.write(`${JSON.stringify({ lab: lab.name, holder: holder ?? null })}\n`);
  else
    process.stdout.write(
      holder
        ? `lab ${lab.name} is held by ${describeLease(holder)}\n`
        : `lab ${lab.name} is free\n`,
    );
}
