/** The optional shared IPC key (`ha.key_file`): raw file bytes, at least 16 of them. */
import { readFile } from 'node:fs/promises';
import { HaError } from '../errors.ts';

export const MIN_KEY_BYTES = 16;

export async function readKeyFile(path: string): Promise<Uint8Array> {
  let bytes: Uint8Array;
  try {
    bytes = await readFile(path);
  } catch (err) {
    throw new HaError('HA_KEY_FILE', `${path}: cannot read key file: ${(err as Error).message}`);
  }
  if (bytes.length < MIN_KEY_BYTES) {
    throw new HaError(
      'HA_KEY_FILE',
      `${path}: key file holds ${bytes.length} bytes, needs at least ${MIN_KEY_BYTES}`,
    );
  }
  return bytes;
}
