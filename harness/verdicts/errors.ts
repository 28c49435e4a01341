/** Errors of the verdict inputs (fault timeline, options, drop counts). `code` is stable. */
export type VerdictErrorCode = 'FAULTS_INVALID' | 'BAD_TIME' | 'BAD_OPTION' | 'INCONCLUSIVE';

export class VerdictError extends Error {
  constructor(
    readonly code: VerdictErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'VerdictError';
  }
}
