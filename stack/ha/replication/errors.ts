/** Errors of replication and replay; the standby logs and counts them, never crashes on them. */
export type ReplicationErrorCode =
  | 'REPL_BAD_DETAIL'
  | 'REPL_BAD_ATTRIBUTES'
  | 'REPL_UNKNOWN_CONN'
  | 'REPL_NOT_REPLAYABLE'
  | 'REPL_MISSING_BYTES';

export class ReplicationError extends Error {
  constructor(
    readonly code: ReplicationErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'ReplicationError';
  }
}
