/**
 * The daemon with TCP attached, in-process (`ip netns exec NS node --import=tsx
 * daemon.fixture.ts CONFIG ['<json>']`): the same startDaemon + attachTcp the
 * `hitless rpd` command runs, plus an optional stream client whose initial
 * sequence number is chosen (the wraparound test), which no config key sets.
 * Logs are the daemon's JSON lines on stdout.
 */

import { encodeHello, PatternVerifier, PatternWriter } from '../../apps/stream-pattern.ts';
import { startDaemon } from '../../rpd/daemon.ts';
import { attachTcp, type EngineOverrides } from '../../rpd/tcp-attach.ts';

interface Extra {
  engine?: EngineOverrides;
  isnClient?: { host: string; port: number; isn: number; seed: number; bytes: number };
}

const [configFile, extraJson] = process.argv.slice(2);
const extra = JSON.parse(extraJson ?? '{}') as Extra;
const say = (o: Record<string, unknown>): void => {
  process.stdout.write(`${JSON.stringify(o)}\n`);
};

const board = await startDaemon(configFile!, {
  attach: [
    (b) => {
      const { host } = attachTcp(b, extra.engine);
      const c = extra.isnClient;
      if (!c) return;
      // Started once the loop runs: the kernel side must have its address first.
      setTimeout(() => {
        const sock = host.connect({ host: c.host, port: c.port, isn: c.isn });
        const writer = new PatternWriter(c.seed, 'c2s');
        const verifier = new PatternVerifier(c.seed, 's2c');
        const pump = (): void => {
          while (writer.offset < c.bytes) {
            if (!sock.write(writer.next(Math.min(65536, c.bytes - writer.offset)))) return;
          }
          sock.shutdown();
        };
        sock.on('connect', () => {
          sock.write(encodeHello(c.seed));
          pump();
        });
        sock.on('drain', pump);
        sock.on('data', (d) => verifier.push(d));
        let eof = false;
        sock.on('end', () => {
          eof = true;
        });
        sock.on('error', (e) => say({ event: 'isn-client-error', code: e.code }));
        sock.on('close', () =>
          say({
            event: 'isn-client-done',
            sent: writer.offset,
            verified: verifier.offset,
            mismatch: verifier.mismatch,
            eof,
          }),
        );
      }, 200);
    },
  ],
});
await board.done;
setTimeout(() => process.exit(0), 1000).unref();
