/** Errors of the TCP engine: misuse of the API or a malformed snapshot (never a bad segment). */
export type TcpErrorCode =
  | 'TCP_NO_CONNECTION'
  | 'TCP_PORT_IN_USE'
  | 'TCP_CONN_ID_IN_USE'
  | 'TCP_BAD_STATE'
  | 'TCP_BAD_SNAPSHOT'
  | 'TCP_BAD_CONFIG';

export class TcpError extends Error {
  readonly code: TcpErrorCode;
  constructor(code: TcpErrorCode, message: string) {
    super(message);
    this.name = 'TcpError';
    this.code = code;
  }
}
