/** Echo: every byte received is sent back; the peer's FIN is answered with ours. */
import type { AppKind } from './app.ts';
import { echoInto } from './app.ts';

export const echoApp: AppKind = {
  attach(socket, { stats }) {
    socket.on('data', (bytes) => {
      stats.bytesIn += bytes.length;
      echoInto(socket, bytes, stats);
    });
    // Reading resumes once what we echoed has drained.
    socket.on('drain', () => socket.resume());
    socket.on('end', () => socket.shutdown());
  },
};
