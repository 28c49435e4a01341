/**
 * Two connected in-memory duplex streams (what one writes, the other reads), for tests and the
 * deterministic simulation. `chunkSize` splits writes so frames straddle reads.
 */
import { Duplex } from 'node:stream';

export function memoryDuplexPair(chunkSize = Number.POSITIVE_INFINITY): [Duplex, Duplex] {
  let a: Duplex;
  let b: Duplex;
  const make = (other: () => Duplex) =>
    new Duplex({
      read() {},
      write(chunk: Buffer, _enc, done) {
        const peer = other();
        for (let at = 0; at < chunk.length; at += Math.min(chunkSize, chunk.length)) {
          peer.push(chunk.subarray(at, at + Math.min(chunkSize, chunk.length)));
        }
        done();
      },
      final(done) {
        other().push(null);
        done();
      },
      destroy(err, done) {
        const peer = other();
        if (!peer.destroyed) peer.destroy();
        done(err);
      },
    });
  a = make(() => b);
  b = make(() => a);
  return [a, b];
}
