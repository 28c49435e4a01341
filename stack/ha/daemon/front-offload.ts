/**
 * Segmentation offload on the front TAP in HA mode, as the plain daemon does: the kernel hands
 * the engine TCP super-segments of up to 64 KiB (one input, so one TCP record and one socket-data
 * record per super-segment instead of one per MSS) and takes super-segments from it. A record
 * describes a super-segment as it describes any segment (header, length, options), so the
 * standby replays the same input. Both boards derive the value from their own TAP; a board
 * whose link cannot offload uses 0, which changes only how outputs are cut, not the TCP
 * variables the records compare.
 */
import { TapLink } from '../../link/tap-link.ts';
import type { Board } from '../../rpd/daemon.ts';
import type { EngineOverrides } from '../../rpd/tcp-attach.ts';
import { TSO_MAX_PAYLOAD } from '../../tcp/create.ts';

/** The engine's `tsoMaxBytes` for this board: 0 unless the front TAP can offload. */
export function frontTso(board: Board, engine: EngineOverrides = {}): number {
  const { link } = board;
  if (engine.tsoMaxBytes === 0 || !(link instanceof TapLink) || !link.vnetHdr) return 0;
  try {
    if (!link.tsoEnabled && !link.enableTso()) return 0;
  } catch (err) {
    board.log('warn', 'tap-offload-failed', { message: (err as Error).message });
    return 0;
  }
  const max = engine.tsoMaxBytes ?? TSO_MAX_PAYLOAD;
  board.log('info', 'tcp-offload', { tap: link.name, tsoMaxBytes: max });
  return max;
}
