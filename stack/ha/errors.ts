/**
 * Errors of the HA layer. Every refusal (bad frame, bad MAC, unknown version, bad key file)
 * carries a stable `code` so logs and tests can tell the reasons apart without parsing text.
 */

export type HaErrorCode =
  | 'IPC_BAD_MAGIC'
  | 'IPC_BAD_VERSION'
  | 'IPC_BAD_LENGTH'
  | 'IPC_BAD_FLAGS'
  | 'IPC_FRAME_TOO_LARGE'
  | 'IPC_BAD_MAC'
  | 'IPC_MAC_MISSING'
  | 'IPC_MAC_UNEXPECTED'
  | 'IPC_BAD_SEQUENCE'
  | 'IPC_UNKNOWN_TYPE'
  | 'IPC_BAD_PAYLOAD'
  | 'IPC_DECODER_FAILED'
  | 'HA_KEY_FILE'
  | 'HA_BAD_STATE';

export class HaError extends Error {
  constructor(
    readonly code: HaErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'HaError';
  }
}
