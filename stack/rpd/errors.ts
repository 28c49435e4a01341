export type RpdErrorCode =
  | 'RPD_RUNNING'
  | 'RPD_SOCKET'
  | 'RPD_NOT_RUNNING'
  | 'RPD_REQUEST'
  | 'RPD_NO_HA'
  | 'RPD_SWITCHOVER_FAILED'
  | 'RPD_LAN_ADDRESS';

export class RpdError extends Error {
  constructor(
    readonly code: RpdErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'RpdError';
  }
}
