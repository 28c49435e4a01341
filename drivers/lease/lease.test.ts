import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import test from 'ava';
import { Lease, LeaseError, unlock, whoHolds } from './lease.ts';

const fixture = join(import.meta.dirname, 'lease-holder.fixture.ts');

function tmp(t: { teardown(f: () => void): void }): string {
  const dir = mkdtempSync(join(tmpdir(), 'hllease-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  return join(dir, 'lease.json');
}

function startHolder(
  t: { teardown(f: () => void): void },
  file: string,
  ttl: number,
): Promise<ChildProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', fixture, file, String(ttl)], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  t.teardown(() => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  });
  return new Promise((resolve, reject) => {
    child.stdout!.on('data', (d: Buffer) => d.toString().includes('held') && resolve(child));
    child.on('exit', (code) => reject(new Error(`holder exited ${code}`)));
  });
}

async function until(cond: () => boolean, ms: number): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if (cond()) return true;
    await new Promise((r) => setTimeout(r, 25));
  }
  return cond();
}

test('a second taker is refused with who holds it; a killed holder releases the lab', async (t) => {
  const file = tmp(t);
  const holder = await startHolder(t, file, 5000);
  const err = t.throws(() => Lease.acquire({ file, lab: 'test-lab', owner: 'second' }), {
    instanceOf: LeaseError,
  });
  t.is(err?.code, 'LEASE_HELD');
  t.regex(err!.message, new RegExp(`held by holder-proc on ${hostname()} pid ${holder.pid}`));
  t.is(whoHolds(file)?.owner, 'holder-proc');
  holder.kill('SIGKILL');
  t.true(await until(() => holder.exitCode !== null || holder.signalCode !== null, 5000));
  const lease = Lease.acquire({ file, lab: 'test-lab', owner: 'second' });
  t.is(whoHolds(file)?.owner, 'second');
  lease.release();
  t.is(whoHolds(file), undefined);
});

test('a lease from another host expires on its own unless renewed', async (t) => {
  const file = tmp(t);
  const soon = new Date(Date.now() + 1000).toISOString();
  writeFileSync(
    file,
    JSON.stringify({
      owner: 'ci@other',
      host: 'other-host',
      pid: 4242,
      lab: 'test-lab',
      acquiredAt: new Date().toISOString(),
      expiresAt: soon,
      token: 'x',
    }),
  );
  t.throws(() => Lease.acquire({ file, lab: 'test-lab' }), { code: 'LEASE_HELD' } as never);
  t.true(await until(() => whoHolds(file) === undefined, 3000));
  const lease = Lease.acquire({ file, lab: 'test-lab', owner: 'me' });
  t.is(whoHolds(file)?.owner, 'me');
  lease.release();
});

test('a live holder keeps renewing past its ttl', async (t) => {
  const file = tmp(t);
  await startHolder(t, file, 1000);
  const first = JSON.parse(readFileSync(file, 'utf8')).expiresAt;
  await new Promise((r) => setTimeout(r, 1500));
  const later = whoHolds(file);
  t.is(later?.owner, 'holder-proc');
  t.true(Date.parse(later!.expiresAt) > Date.parse(first));
});

test('unlock removes only your own lease unless forced', (t) => {
  const file = tmp(t);
  const lease = Lease.acquire({
    file,
    lab: 'test-lab',
    owner: 'alice',
    pid: 0,
    renewMs: 0,
    ttlMs: 60_000,
  });
  t.throws(() => unlock(file, { owner: 'bob' }), { instanceOf: LeaseError });
  t.is(unlock(file, { owner: 'bob', force: true })?.owner, 'alice');
  t.is(whoHolds(file), undefined);
  lease.release();
});
