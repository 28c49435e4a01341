import test from 'ava';
import type { Board } from '../../rpd/daemon.ts';
import { frontTso } from './front-offload.ts';

/** A board whose link is not a TAP (an in-memory link, as the HA unit tests use). */
function boardWith(link: unknown): { board: Board; logs: string[] } {
  const logs: string[] = [];
  const board = {
    link,
    log: (_level: string, event: string) => logs.push(event),
  } as unknown as Board;
  return { board, logs };
}

test('no offload on a link that is not a TAP: records then describe MSS-sized segments only', (t) => {
  const { board, logs } = boardWith({ send: () => true, onFrames: () => {}, close: () => {} });
  t.is(frontTso(board), 0);
  t.is(frontTso(board, { tsoMaxBytes: 30_000 }), 0);
  t.deepEqual(logs, []);
});
