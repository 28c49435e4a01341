/**
 * A lab is driven by one run at a time. The lease is a JSON file (owner,
 * host, pid, expiry) created with O_EXCL; its holder renews it while it
 * lives. A lease whose expiry has passed, or whose holder process is gone
 * (same host), is stale and the next taker removes it under a short guard.
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { hostname, userInfo } from 'node:os';
import { dirname } from 'node:path';

export interface LeaseInfo {
  owner: string;
  host: string;
  /** 0 for a lease taken by hand (`hitless lock`), which only expires. */
  pid: number;
  lab: string;
  acquiredAt: string;
  expiresAt: string;
  token: string;
}

export type LeaseErrorCode = 'LEASE_HELD' | 'LEASE_NOT_HELD' | 'LEASE_IO';

export class LeaseError extends Error {
  constructor(
    readonly code: LeaseErrorCode,
    message: string,
    readonly holder?: LeaseInfo,
  ) {
    super(message);
    this.name = 'LeaseError';
  }
}

export interface LeaseOptions {
  file: string;
  lab: string;
  owner?: string;
  /** Lifetime without renewal (ms). */
  ttlMs?: number;
  /** Renew every this often (default ttl/3); 0 = never (a lease taken by hand). */
  renewMs?: number;
  /** Record this pid (0 = none: the lease only expires). Default this process. */
  pid?: number;
  /** Called when the lease was taken away (expired while we were stalled). */
  onLost?: (by: LeaseInfo | undefined) => void;
}

export function defaultOwner(): string {
  return process.env.HITLESS_OWNER ?? `${userInfo().username}@${hostname()}`;
}

export function describeLease(l: LeaseInfo): string {
  const pid = l.pid ? ` pid ${l.pid}` : '';
  return `${l.owner} on ${l.host}${pid} since ${l.acquiredAt}, until ${l.expiresAt}`;
}

function read(file: string): LeaseInfo | undefined {
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as LeaseInfo;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    // a torn or garbled file is treated as no lease: it cannot name a holder
    return undefined;
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Why a lease no longer holds, or undefined while it is valid. */
export function staleReason(l: LeaseInfo, now = Date.now()): string | undefined {
  if (Date.parse(l.expiresAt) <= now) return 'expired';
  if (l.pid > 0 && l.host === hostname() && !alive(l.pid)) return `holder pid ${l.pid} is gone`;
  return undefined;
}

/** The current valid lease of a lab, if any. */
export function whoHolds(file: string): LeaseInfo | undefined {
  const l = read(file);
  return l && !staleReason(l) ? l : undefined;
}

function writeAtomic(file: string, l: LeaseInfo): void {
  const tmp = `${file}.${process.pid}.${randomBytes(3).toString('hex')}`;
  writeFileSync(tmp, `${JSON.stringify(l, null, 2)}\n`);
  renameSync(tmp, file);
}

/** Removes a stale lease; a guard file keeps two takers from racing. */
function clearStale(file: string, seen: LeaseInfo): void {
  const guard = `${file}.guard`;
  try {
    if (Date.now() - statSync(guard).mtimeMs > 10_000) rmSync(guard, { force: true });
  } catch {}
  try {
    writeFileSync(guard, String(process.pid), { flag: 'wx' });
  } catch {
    return; // another taker is clearing it
  }
  try {
    const now = read(file);
    if (now && now.token === seen.token && staleReason(now)) rmSync(file, { force: true });
  } finally {
    rmSync(guard, { force: true });
  }
}

export class Lease {
  private timer: NodeJS.Timeout | undefined;
  private released = false;

  private constructor(
    private readonly opts: LeaseOptions,
    public info: LeaseInfo,
  ) {}

  static acquire(opts: LeaseOptions): Lease {
    const ttl = opts.ttlMs ?? 30_000;
    mkdirSync(dirname(opts.file), { recursive: true });
    for (let attempt = 0; attempt < 3; attempt++) {
      const now = new Date();
      const info: LeaseInfo = {
        owner: opts.owner ?? defaultOwner(),
        host: hostname(),
        pid: opts.pid ?? process.pid,
        lab: opts.lab,
        acquiredAt: now.toISOString(),
        expiresAt: new Date(now.getTime() + ttl).toISOString(),
        token: randomBytes(8).toString('hex'),
      };
      try {
        writeFileSync(opts.file, `${JSON.stringify(info, null, 2)}\n`, { flag: 'wx' });
        const lease = new Lease(opts, info);
        lease.startRenewing(ttl);
        return lease;
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EEXIST')
          throw new LeaseError(
            'LEASE_IO',
            `lab ${opts.lab}: cannot write lease ${opts.file}: ${(err as Error).message}`,
          );
      }
      const held = read(opts.file);
      if (held && !staleReason(held))
        throw new LeaseError(
          'LEASE_HELD',
          `lab ${opts.lab} is held by ${describeLease(held)}`,
          held,
        );
      if (held) clearStale(opts.file, held);
      else rmSync(opts.file, { force: true }); // unreadable leftover
    }
    throw new LeaseError('LEASE_HELD', `lab ${opts.lab}: lease ${opts.file} is contended`);
  }

  /** Releases the lease this process holds (no-op if it was taken away). */
  release(): void {
    this.released = true;
    clearInterval(this.timer);
    const now = read(this.opts.file);
    if (now?.token === this.info.token) rmSync(this.opts.file, { force: true });
  }

  private startRenewing(ttl: number): void {
    const every = this.opts.renewMs ?? Math.max(100, Math.floor(ttl / 3));
    if (every <= 0) return;
    this.timer = setInterval(() => this.renew(ttl), every);
    this.timer.unref();
  }

  private renew(ttl: number): void {
    if (this.released) return;
    const now = read(this.opts.file);
    if (now?.token !== this.info.token) {
      clearInterval(this.timer);
      this.opts.onLost?.(now);
      return;
    }
    this.info = { ...this.info, expiresAt: new Date(Date.now() + ttl).toISOString() };
    writeAtomic(this.opts.file, this.info);
  }
}

/** Removes the lab's lease: only the owner's unless forced. Returns what was removed. */
export function unlock(
  file: string,
  opts: { owner?: string; force?: boolean } = {},
): LeaseInfo | undefined {
  const l = read(file);
  if (!l) return undefined;
  const owner = opts.owner ?? defaultOwner();
  if (!opts.force && l.owner !== owner && !staleReason(l))
    throw new LeaseError(
      'LEASE_HELD',
      `lab ${l.lab} is held by ${describeLease(l)}; not yours (use --force)`,
      l,
    );
  rmSync(file, { force: true });
  return l;
}
