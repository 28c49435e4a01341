/** Lab files for tests that run side by side: the default virtual lab with its own prefix and subnet. */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { LabError } from '../lab/errors.ts';
import { DEFAULT_LAB_FILE } from '../lab/load.ts';

/**
 * A copy of the default virtual lab with its own prefix and management subnet
 * 198.18.<subnet>.0/24, for tests that run side by side. Returns the file path.
 */
export function writeVirtualLab(opts: {
  prefix: string;
  subnet: number;
  dir?: string;
  bootMs?: number;
  /** Command line of the stack daemon (`--config FILE` is appended). */
  daemon?: string;
}): string {
  if (!Number.isInteger(opts.subnet) || opts.subnet < 0 || opts.subnet > 254)
    throw new LabError('VLAB_COMMAND_FAILED', 'subnet must be 0..254');
  let text = readFileSync(DEFAULT_LAB_FILE, 'utf8')
    .replace(/^prefix: .*$/m, `prefix: ${opts.prefix}`)
    .replace(/^name: .*$/m, `name: virtual-${opts.prefix}`)
    .replaceAll('198.18.0.', `198.18.${opts.subnet}.`)
    .replace(
      '# yaml-language-server: $schema=./lab.schema.json',
      `# yaml-language-server: $schema=${dirname(DEFAULT_LAB_FILE)}/lab.schema.json`,
    );
  if (opts.bootMs !== undefined) text = text.replace(/bootMs: \d+/, `bootMs: ${opts.bootMs}`);
  if (opts.daemon)
    text = text.replace(
      /^( *)rebootPauseMs: (.*)$/m,
      `$1rebootPauseMs: $2\n$1daemon: ${JSON.stringify(opts.daemon)}`,
    );
  const dir = opts.dir ?? tmpdir();
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `hitless-lab-${opts.prefix}.yaml`);
  writeFileSync(file, text);
  return file;
}
