import test from 'ava';
import type { AppSocket } from '../tcp/host/socket-api.ts';
import { appSpecSchema } from './config.ts';
import { type AppSpec, startApp } from './index.ts';
import { MemoryNet } from './memory-net.ts';
import {
  decodeHello,
  encodeHello,
  HELLO_BYTES,
  patternBytes,
  verifyPattern,
} from './stream-pattern.ts';

const spec = (raw: unknown): AppSpec => appSpecSchema.parse(raw);

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

function collect(socket: AppSocket): { bytes: () => Buffer; ended: () => boolean } {
  const parts: Uint8Array[] = [];
  let ended = false;
  socket.on('data', (b) => parts.push(b));
  socket.on('end', () => {
    ended = true;
  });
  return { bytes: () => Buffer.concat(parts), ended: () => ended };
}

test('echo returns every byte, in order, under back-pressure, and answers FIN with FIN', async (t) => {
  const net = new MemoryNet('198.18.0.1', 4096);
  const logs: Record<string, unknown>[] = [];
  const app = startApp(spec({ kind: 'echo', port: 7 }), { net, log: (e) => logs.push(e) });
  const client = net.connect({ host: '198.18.0.1', port: 7 });
  const got = collect(client);
  const sent = Buffer.from(patternBytes(1, 'c2s', 0, 200_000));
  client.on('connect', () => {
    for (let i = 0; i < sent.length; i += 1000) client.write(sent.subarray(i, i + 1000));
    client.shutdown();
  });
  await until(() => got.ended());
  t.true(got.bytes().equals(sent));
  t.is(app.stats().bytesIn, sent.length);
  t.is(app.stats().bytesOut, sent.length);
  t.true(logs.some((e) => e.event === 'accepted' && e.app === 'echo'));
});

test('discard reads everything and closes after the peer finishes', async (t) => {
  const net = new MemoryNet();
  const app = startApp(spec({ kind: 'discard', port: 9 }), { net, log: () => {} });
  const client = net.connect({ host: '198.18.0.1', port: 9 });
  const got = collect(client);
  client.on('connect', () => {
    client.write(new Uint8Array(10_000));
    client.shutdown();
  });
  await until(() => got.ended());
  t.is(got.bytes().length, 0);
  t.is(app.stats().bytesIn, 10_000);
});

test('stream client and server verify both directions byte-exact, then half-close', async (t) => {
  const net = new MemoryNet('198.18.0.1', 64 * 1024);
  const logs: Record<string, unknown>[] = [];
  const log = (e: Record<string, unknown>): number => logs.push(e);
  const server = startApp(spec({ kind: 'stream', port: 5001, bytes: 1_000_000 }), { net, log });
  const client = startApp(
    spec({ kind: 'stream', connect: '198.18.0.1:5001', bytes: 700_000, seed: 77, connections: 3 }),
    { net, log },
  );
  await until(() => client.stats().closed === 3 && server.stats().closed === 3);
  const s = server.stats();
  const c = client.stats();
  t.is(s.mismatches + c.mismatches, 0);
  t.is(c.bytesIn, 3 * 1_000_000);
  t.is(s.bytesIn, 3 * (700_000 + 8));
  const seeds = logs
    .filter((e) => e.event === 'stream-start' && e.role === 'server')
    .map((e) => e.seed);
  t.deepEqual(
    [...seeds].sort((a, b) => Number(a) - Number(b)),
    [77, 78, 79],
  );
  const ends = logs.filter((e) => e.event === 'stream-end');
  t.is(ends.length, 6);
  t.true(ends.every((e) => e.mismatch === false));
});

test('stream server reports the first corrupted byte with its offset', async (t) => {
  const net = new MemoryNet();
  const logs: Record<string, unknown>[] = [];
  const server = startApp(spec({ kind: 'stream', port: 5002, bytes: 0 }), {
    net,
    log: (e) => logs.push(e),
  });
  const client = net.connect({ host: '198.18.0.1', port: 5002 });
  const data = Buffer.from(patternBytes(1234, 'c2s', 0, 50_000));
  data[31_337] = data[31_337]! ^ 0x40;
  data[40_000] = data[40_000]! ^ 0x01;
  client.on('connect', () => {
    const hello = encodeHello(1234);
    client.write(hello.subarray(0, 3)); // a hello split across writes
    client.write(Buffer.concat([hello.subarray(3), data]));
    client.shutdown();
  });
  await until(() => logs.some((e) => e.event === 'stream-end'));
  const mismatch = logs.filter((e) => e.event === 'mismatch');
  t.is(mismatch.length, 1);
  t.is(mismatch[0]!.offset, 31_337);
  t.is(mismatch[0]!.direction, 'c2s');
  t.is(server.stats().mismatches, 1);
});

test('stream server aborts a connection that opens with a bad hello', async (t) => {
  const net = new MemoryNet();
  const logs: Record<string, unknown>[] = [];
  startApp(spec({ kind: 'stream', port: 5003 }), { net, log: (e) => logs.push(e) });
  const client = net.connect({ host: '198.18.0.1', port: 5003 });
  let code = '';
  client.on('error', (e) => {
    code = e.code;
  });
  client.on('connect', () => client.write(Buffer.from('GET / HTTP/1.0\r\n')));
  await until(() => code !== '');
  t.is(code, 'reset');
  t.true(logs.some((e) => e.event === 'bad-hello'));
});

test('stream sockets are flagged regenerable and carry the sso setting', async (t) => {
  const net = new MemoryNet();
  let accepted: AppSocket | undefined;
  const orig = net.listen.bind(net);
  net.listen = (port, opts, fn) =>
    orig(port, opts, (s) => {
      accepted = s;
      fn(s);
    });
  const app = startApp(spec({ kind: 'stream', port: 5004, sso: true }), { net, log: () => {} });
  const c = net.connect({ host: '198.18.0.1', port: 5004 });
  c.on('connect', () => c.write(encodeHello(1)));
  await until(() => accepted !== undefined);
  t.true(accepted!.sso);
  t.true(accepted!.outputRegenerable);
  app.stop({ abort: true });
  await until(() => app.stats().active === 0);
});

test('config: exactly one of port and connect; unknown keys and bad addresses refused', (t) => {
  t.notThrows(() => spec({ kind: 'echo', port: 7 }));
  t.notThrows(() => spec({ kind: 'stream', connect: '198.18.2.2:5001', seed: 5, bytes: 100 }));
  t.throws(() => spec({ kind: 'echo' }), { message: /exactly one/ });
  t.throws(() => spec({ kind: 'echo', port: 7, connect: '198.18.2.2:7' }), {
    message: /exactly one/,
  });
  t.throws(() => spec({ kind: 'echo', port: 7, seed: 1 }));
  t.throws(() => spec({ kind: 'stream', connect: 'peer:5001' }), { message: /IPv4/ });
  t.throws(() => spec({ kind: 'chat', port: 1 }));
  t.is(spec({ kind: 'discard', port: 9 }).sso, false);
});

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
    spec({ kind: 'stream', connect: '198.18.0.1:5009', bytes: 5000, seed: 41 }),
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
