/** The stream app as a client (`connect:` from the config) verifying what the server sends. */
import test from 'ava';
import { appSpecSchema } from './config.ts';
import { startApp } from './index.ts';
import { MemoryNet } from './memory-net.ts';
import { decodeHello, HELLO_BYTES, patternBytes, verifyPattern } from './stream-pattern.ts';

function until(cond: () => boolean, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  return new Promise((resolve, reject) => {
    const poll = (): void => {
      if (cond()) resolve();
      else if (Date.now() > end) reject(new Error('condition not met in time'));
      else setImmediate(poll);
    };
    poll();
  });
}

test('stream client: sends hello + c2s pattern, reports the first corrupted s2c byte with its offset', async (t) => {
  const net = new MemoryNet('198.18.0.1', 8192);
  const received: Uint8Array[] = [];
  let serverEnded = false;
  net.listen(5009, {}, (socket) => {
    socket.on('data', (b) => received.push(Uint8Array.from(b)));
    socket.on('end', () => {
      serverEnded = true;
    });
    const s2c = Uint8Array.from(patternBytes(41, 's2c', 0, 30_000));
    s2c[12_345] = s2c[12_345]! ^ 0x80;
    s2c[20_000] = s2c[20_000]! ^ 0x01;
    socket.write(s2c);
    socket.shutdown();
  });
  const logs: Record<string, unknown>[] = [];
  const client = startApp(
    appSpecSchema.parse({ kind: 'stream', connect: '198.18.0.1:5009', bytes: 5000, seed: 41 }),
    { net, log: (e) => logs.push(e) },
  );
  await until(() => serverEnded && logs.some((e) => e.event === 'stream-end'));
  const all = Buffer.concat(received);
  t.is(all.length, HELLO_BYTES + 5000);
  const hello = decodeHello(all.subarray(0, HELLO_BYTES));
  t.true(hello.ok && hello.seed === 41);
  t.is(verifyPattern(41, 'c2s', 0, all.subarray(HELLO_BYTES)), null, 'c2s bytes are the pattern');
  const mismatches = logs.filter((e) => e.event === 'mismatch');
  t.is(mismatches.length, 1, 'only the first mismatch is reported');
  t.is(mismatches[0]!.offset, 12_345);
  t.is(mismatches[0]!.direction, 's2c');
  t.is(client.stats().mismatches, 1);
  t.is(client.stats().bytesIn, 30_000);
});
