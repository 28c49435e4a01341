/**
 * Errors of the campaign runner: the harness or the lab failed, not the device
 * under test, except the DEVICE_CODES below.
 */
export type RunnerErrorCode =
  | 'RUN_NOT_HOT'
  | 'RUN_NO_TAKEOVER'
  | 'RUN_SSH'
  | 'RUN_TIMEOUT'
  | 'RUN_DEPLOY'
  | 'RUN_DAEMON'
  | 'RUN_NO_DRIVER'
  | 'RUN_CAPTURE'
  | 'RUN_AGENT'
  | 'RUN_LAB'
  | 'RUN_INTERRUPTED'
  | 'RUN_BAD_OPTIONS';

export class RunnerError extends Error {
  constructor(
    readonly code: RunnerErrorCode,
    message: string,
    cause?: unknown,
  ) {
    super(message, cause === undefined ? undefined : { cause });
    this.name = 'RunnerError';
  }
}

/**
 * Waits that end because the boards themselves did not do their part (every
 * board powered, cables up, daemons answering): the device under test failed.
 */
export const DEVICE_CODES: ReadonlySet<string> = new Set(['RUN_NOT_HOT', 'RUN_NO_TAKEOVER']);

/** The error's stable code (its class's `code`), or a generic one. */
export function codeOf(err: unknown): string {
  const code = (err as { code?: unknown } | undefined)?.code;
  return typeof code === 'string' && code.length > 0 ? code : 'RUN_ERROR';
}

export function messageOf(err: unknown): string {
  const m = err instanceof Error ? err.message : String(err);
  return m.length > 0 ? m : 'unknown error';
}
