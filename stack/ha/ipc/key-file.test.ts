import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import test from 'ava';
import { HaError } from '../errors.ts';
import { readKeyFile } from './key-file.ts';

const dir = mkdtempSync(join(tmpdir(), 'hlha-key-'));
test.after.always(() => rmSync(dir, { recursive: true, force: true }));

test('a key file of 16 bytes or more is read as raw bytes', async (t) => {
  const file = join(dir, 'good');
  writeFileSync(file, 'a'.repeat(32));
  t.deepEqual(Buffer.from(await readKeyFile(file)), Buffer.from('a'.repeat(32)));
});

test('a short or missing key file is a typed error naming the file', async (t) => {
  const short = join(dir, 'short');
  writeFileSync(short, 'abc');
  const e1 = await t.throwsAsync(readKeyFile(short), { instanceOf: HaError });
  t.is(e1.code, 'HA_KEY_FILE');
  t.regex(e1.message, /short: key file holds 3 bytes/);
  const e2 = await t.throwsAsync(readKeyFile(join(dir, 'absent')), { instanceOf: HaError });
  t.regex(e2.message, /absent: cannot read key file/);
});
