/**
 * Exit codes of the command line: 0 success, 1 a failure of the device under
 * test (a drop, a failed check), 2 an infrastructure or usage error.
 */

/** Thrown (or returned as exit code) when the device under test failed a check. */
export class DeviceFailure extends Error {
  readonly code = 'DUT_FAILURE';
}

export function exitCodeFor(err: unknown): number {
  return err instanceof DeviceFailure ? 1 : 2;
}

export function printError(err: unknown): void {
  if (err instanceof Error) {
    const code = (err as { code?: unknown }).code;
    const prefix = typeof code === 'string' ? `${code}: ` : '';
    process.stderr.write(`hitless: ${prefix}${err.message}\n`);
    if (process.env.HITLESS_DEBUG && err.stack) process.stderr.write(`${err.stack}\n`);
  } else {
    process.stderr.write(`hitless: ${String(err)}\n`);
  }
}
