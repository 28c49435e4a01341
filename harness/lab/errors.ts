/** Errors of the lab model; `code` is stable for programs and tests. */
export type LabErrorCode =
  | 'LAB_SECRET_MISSING'
  | 'LAB_NOT_VIRTUAL'
  | 'LAB_UNKNOWN_HOST'
  | 'VLAB_BUSY'
  | 'VLAB_COMMAND_FAILED'
  | 'VLAB_TIMEOUT'
  | 'VLAB_NOT_UP';

export class LabError extends Error {
  constructor(
    readonly code: LabErrorCode,
    message: string,
  ) {
    super(message);
  }
}
