/**
 * The peer agent against small reference servers on loopback that speak the
 * stream and echo protocols correctly, wrongly, or not at all.
 */
import { createServer, type Server, type Socket } from 'node:net';
import test from 'ava';
import {
  decodeHello,
  HELLO_BYTES,
  PatternVerifier,
  PatternWriter,
} from '../../stack/apps/stream-pattern.ts';
import { type AgentOptions, runAgent } from './agent.ts';
import { type AgentEvent, parseAgentOutput } from './events.ts';

type Behaviour = 'good' | 'corrupt' | 'reset' | 'pause';

/** Stream server: the stack's stream app protocol; misbehaves as asked after 64 KiB. */
function streamServer(behaviour: Behaviour): Server {
  return createServer((s: Socket) => {
    let hello = Buffer.alloc(0);
    let verifier: PatternVerifier | undefined;
    let writer: PatternWriter | undefined;
    let timer: NodeJS.Timeout | undefined;
    s.on('data', (chunk: Buffer) => {
      if (!verifier) {
        hello = Buffer.concat([hello, chunk]);
        if (hello.length < HELLO_BYTES) return;
        const h = decodeHello(hello.subarray(0, HELLO_BYTES));
        if (!h.ok) return s.destroy();
        verifier = new PatternVerifier(h.seed, 'c2s');
        writer = new PatternWriter(h.seed, 's2c');
        chunk = hello.subarray(HELLO_BYTES);
        let paused = false;
        timer = setInterval(() => {
          if (!writer || paused || s.writableLength > 65536) return;
          const bytes = writer.next(4096);
          if (writer.offset > 65536 && behaviour === 'corrupt')
            bytes[100] = (bytes[100]! + 1) & 0xff;
          if (writer.offset > 65536 && behaviour === 'reset') {
            // Node can only send a RST once its own write queue is empty
            // (otherwise it closes with a FIN), so stop writing and drain first.
            clearInterval(timer);
            const reset = () => s.resetAndDestroy();
            return s.writableLength > 0 ? s.once('drain', reset) : reset();
          }
          if (writer.offset > 65536 && behaviour === 'pause') {
            paused = true;
            setTimeout(() => {
              paused = false;
            }, 600);
          }
          s.write(bytes);
        }, 2);
      }
      if (verifier?.push(chunk)) s.destroy();
    });
    s.on('close', () => clearInterval(timer));
    s.on('error', () => {});
  });
}

function echoServer(): Server {
  return createServer((s) => {
    s.on('data', (d) => s.write(d));
    s.on('error', () => {});
  });
}

async function listen(server: Server): Promise<number> {
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const addr = server.address();
  if (!addr || typeof addr === 'string') throw new Error('no port');
  return addr.port;
}

async function runAgainst(
  behaviour: Behaviour,
  extra: Partial<AgentOptions>,
  until: (events: AgentEvent[]) => boolean,
): Promise<AgentEvent[]> {
  const stream = streamServer(behaviour);
  const echo = echoServer();
  const [streamPort, echoPort] = [await listen(stream), await listen(echo)];
  let out = '';
  const agent = runAgent(
    {
      peer: 'p1',
      target: '127.0.0.1',
      streamPort,
      echoPort,
      connections: 2,
      apps: ['stream', 'echo'],
      rateKbps: 4000,
      direction: 'both',
      stallMs: 200,
      seed: 42,
      progressMs: 50,
      connectTimeoutMs: 2000,
      reconnectMs: 0,
      durationMs: 0,
      ...extra,
    },
    (line) => {
      out += line;
    },
  );
  const deadline = Date.now() + 20_000;
  while (!until(parseAgentOutput(out).events) && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 20));
  }
  await agent.stop();
  stream.close();
  echo.close();
  return parseAgentOutput(out).events;
}

const verifiedAtLeast = (n: number) => (events: AgentEvent[]) =>
  events.some((e) => e.event === 'progress' && e.conns.every(([, , v]) => v >= n));

test('a good chassis: every byte verified both ways, no error', async (t) => {
  const events = await runAgainst('good', {}, verifiedAtLeast(200_000));
  const summary = events.find((e) => e.event === 'summary');
  if (summary?.event !== 'summary') return t.fail('no summary');
  t.is(summary.errors, 0);
  t.is(events.filter((e) => e.event === 'connect').length, 2);
  for (const c of summary.conns) t.true(c.verified >= 200_000, `conn ${c.conn}: ${c.verified}`);
  const echo = summary.conns.find((c) => c.app === 'echo');
  t.true((echo?.rttP50Ms ?? -1) >= 0);
});

test('a corrupted byte is reported with its offset', async (t) => {
  const events = await runAgainst('corrupt', { apps: ['stream'], connections: 1 }, (ev) =>
    ev.some((e) => e.event === 'error'),
  );
  const err = events.find((e) => e.event === 'error');
  t.is(err?.event === 'error' ? err.error : undefined, 'mismatch');
  t.regex(err?.event === 'error' ? err.detail : '', /^byte 6\d{4}: expected/);
});

test('a reset is reported as a lost connection, never as corrupt data', async (t) => {
  const events = await runAgainst('reset', { apps: ['stream'], connections: 1 }, (ev) =>
    ev.some((e) => e.event === 'error'),
  );
  const err = events.find((e) => e.event === 'error');
  // Linux reports a RST as ECONNRESET on read, as EPIPE on a write racing it,
  // or, when unread data was queued as it came, as a plain end of stream: the
  // agent cannot tell that last case from a FIN (the captures can).
  const kind = err?.event === 'error' ? err.error : '';
  t.true(['reset', 'broken-pipe', 'unexpected-close'].includes(kind), JSON.stringify(err));
  t.false(events.some((e) => e.event === 'error' && e.error === 'mismatch'));
});

test('a 600 ms pause of the server is reported as a stall of about that length', async (t) => {
  const events = await runAgainst('pause', { apps: ['stream'], connections: 1 }, (ev) =>
    ev.some((e) => e.event === 'stall'),
  );
  const stall = events.find((e) => e.event === 'stall');
  const ms = stall?.event === 'stall' ? stall.ms : 0;
  t.true(ms >= 550 && ms < 1500, `stall ${ms} ms`);
  t.false(events.some((e) => e.event === 'error'));
});

test('nothing listening: connect-failed', async (t) => {
  const events = await runAgainst(
    'good',
    { streamPort: 1, echoPort: 1, connections: 1, apps: ['echo'] },
    (ev) => ev.some((e) => e.event === 'error'),
  );
  const err = events.find((e) => e.event === 'error');
  t.is(err?.event === 'error' ? err.error : undefined, 'connect-failed');
});

test('after a reset the agent reconnects with a fresh seed and verifies again', async (t) => {
  let resets = 0;
  const events = await runAgainst(
    'reset',
    { apps: ['stream'], connections: 1, reconnectMs: 50 },
    (ev) => {
      resets = ev.filter((e) => e.event === 'error').length;
      return ev.filter((e) => e.event === 'connect').length >= 3;
    },
  );
  const connects = events.filter((e) => e.event === 'connect');
  t.deepEqual(
    connects.slice(0, 3).map((e) => (e.event === 'connect' ? e.attempt : -1)),
    [0, 1, 2],
  );
  const seeds = new Set(connects.map((e) => (e.event === 'connect' ? e.seed : 0)));
  t.is(seeds.size, connects.length, 'every attempt has its own seed');
  t.true(resets >= 2);
  // The server's RST ends each connection; when the agent's write meets it first, the kernel
  // reports the read side as a plain end of stream: a reset or an unexpected close, never more.
  for (const e of events.filter((ev) => ev.event === 'error')) {
    t.true(
      e.event === 'error' && ['reset', 'unexpected-close'].includes(e.error),
      `a fresh stream never reports a mismatch: ${e.event === 'error' ? e.error : ''}`,
    );
  }
});

test('pauses of its own paced reader are not reported as stalls', async (t) => {
  // 200 kbit/s: a 64 KiB read takes the bucket 2.6 s to refill, far above the stall threshold.
  const events = await runAgainst(
    'good',
    { apps: ['stream'], connections: 1, rateKbps: 200, stallMs: 150 },
    (ev) => ev.some((e) => e.event === 'progress' && e.conns.every(([, , v]) => v >= 150_000)),
  );
  t.false(
    events.some((e) => e.event === 'stall'),
    JSON.stringify(events.filter((e) => e.event === 'stall')),
  );
  const summary = events.find((e) => e.event === 'summary');
  t.is(summary?.event === 'summary' ? summary.maxStallMs : -1, 0);
});
