/**
 * Deploying the checkout to the hosts of a real lab: the files git tracks
 * (and new ones it does not ignore) in one tarball, copied over SFTP
 * (verified), unpacked at the same place on every host; `npm ci` (which
 * builds the TAP addon on the board itself) only when package-lock.json
 * changed since the last deployment. A virtual lab's hosts share this
 * machine's file system and need none of it.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RunnerError } from './errors.ts';
import { type RemoteHost, shellQuote } from './remote.ts';
import type { Timeline } from './timeline.ts';

/** Where the checkout lives on a real lab's hosts. */
export const REMOTE_CHECKOUT = '/opt/hitless';

export function makeBundle(checkout: string): {
  file: string;
  lockHash: string;
  dispose: () => void;
} {
  const dir = mkdtempSync(join(tmpdir(), 'hitless-bundle-'));
  const list = join(dir, 'files');
  const files = execFileSync(
    'git',
    ['-C', checkout, 'ls-files', '-co', '--exclude-standard', '-z'],
    {
      encoding: 'utf8',
      maxBuffer: 64 << 20,
    },
  );
  writeFileSync(list, files);
  const file = join(dir, 'hitless.tgz');
  execFileSync('tar', ['-C', checkout, '--null', '-T', list, '-czf', file, '--ignore-failed-read']);
  const lockHash = createHash('sha256')
    .update(readFileSync(join(checkout, 'package-lock.json')))
    .digest('hex');
  return { file, lockHash, dispose: () => rmSync(dir, { recursive: true, force: true }) };
}

export async function deployBundle(
  host: RemoteHost,
  bundle: { file: string; lockHash: string },
  timeline: Timeline,
): Promise<void> {
  const dest = REMOTE_CHECKOUT;
  const tgz = `/tmp/hitless-bundle-${process.pid}.tgz`;
  await host.put(bundle.file, tgz);
  await host.run(`mkdir -p ${dest} && tar -xzf ${tgz} -C ${dest} && rm -f ${tgz}`, {
    timeoutMs: 120_000,
  });
  const stamp = `${dest}/.hitless-npm-stamp`;
  const same = await host.exec(
    `test "$(cat ${stamp} 2>/dev/null)" = ${shellQuote(bundle.lockHash)}`,
  );
  if (same.code !== 0) {
    timeline.add('harness', 'deploy.npm', { host: host.name });
    const r = await host.exec(`cd ${dest} && npm ci --no-audit --no-fund`, { timeoutMs: 900_000 });
    if (r.code !== 0)
      throw new RunnerError(
        'RUN_DEPLOY',
        `${host.name}: npm ci failed: ${r.stderr.trim().split('\n').slice(-3).join(' | ')}`,
      );
    await host.run(`echo ${shellQuote(bundle.lockHash)} > ${stamp}`);
  }
  timeline.add('harness', 'deploy.bundle', { host: host.name, dest });
}
