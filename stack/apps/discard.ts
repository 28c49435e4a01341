/** Discard: reads and drops everything; closes once the peer has finished. */
import type { AppKind } from './app.ts';

export const discardApp: AppKind = {
  attach(socket, { stats }) {
    socket.on('data', (bytes) => {
      stats.bytesIn += bytes.length;
    });
    socket.on('end', () => socket.close());
  },
};
