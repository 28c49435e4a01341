import { createHash } from 'node:crypto';
import test from 'ava';
import { TcpFlag } from '../../wire/tcp-types.ts';
import { hostPair } from './pair.ts';
import type { AppSocket, SocketErrorCode } from './socket-api.ts';

function patternish(n: number, salt: number): Buffer {
  const b = Buffer.alloc(n);
  let x = salt | 1;
  for (let i = 0; i < n; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    b[i] = x & 0xff;
  }
  return b;
}

function echoServer(socket: AppSocket): void {
  socket.on('data', (d) => {
    if (!socket.write(d)) socket.pause();
  });
  socket.on('drain', () => socket.resume());
  socket.on('end', () => socket.shutdown());
}

function watch(socket: AppSocket) {
  const parts: Uint8Array[] = [];
  const s = {
    ended: false,
    closed: false,
    error: undefined as SocketErrorCode | undefined,
    connected: false,
  };
  socket.on('connect', () => {
    s.connected = true;
  });
  socket.on('data', (d) => parts.push(d.slice()));
  socket.on('end', () => {
    s.ended = true;
  });
  socket.on('error', (e) => {
    s.error = e.code;
  });
  socket.on('close', () => {
    s.closed = true;
  });
  return { s, bytes: () => Buffer.concat(parts) };
}

const sha = (b: Uint8Array): string => createHash('sha256').update(b).digest('hex');

test('echo over two engines: 2 MB byte-exact both ways, orderly close on both sides', (t) => {
  const p = hostPair();
  const accepted: AppSocket[] = [];
  p.a.listen(7, { backlog: 8 }, (s) => {
    accepted.push(s);
    echoServer(s);
    watch(s);
  });
  const client = p.b.connect({ host: p.addrA, port: 7 });
  const w = watch(client);
  const data = patternish(2_000_000, 7);
  let sent = 0;
  const pump = (): void => {
    while (sent < data.length) {
      const chunk = data.subarray(sent, sent + 100_000);
      sent += chunk.length;
      if (!client.write(chunk)) return;
    }
    client.shutdown();
  };
  client.on('connect', pump);
  client.on('drain', pump);
  t.true(
    p.runUntil(() => w.s.closed, 120_000),
    'client closed',
  );
  t.is(w.s.error, undefined);
  t.true(w.s.ended);
  t.is(sha(w.bytes()), sha(data));
  t.is(client.bytesRead, data.length);
  t.is(client.bytesWritten, data.length);
  t.is(accepted.length, 1);
  t.is(accepted[0]!.remoteAddress, p.addrB);
  t.is(accepted[0]!.localPort, 7);
  t.true(
    p.runUntil(() => p.a.engine.connections().length === 0, 130_000),
    'server side gone',
  );
});

test('connect to a port nobody listens on fails with refused', (t) => {
  const p = hostPair();
  const w = watch(p.b.connect({ host: p.addrA, port: 9999 }));
  t.true(p.runUntil(() => w.s.closed, 5000));
  t.is(w.s.error, 'refused');
  t.false(w.s.connected);
});

test('connect into silence times out at the host deadline', (t) => {
  const p = hostPair({ drop: () => true });
  const start = p.clock.now();
  const w = watch(p.b.connect({ host: p.addrA, port: 7, timeoutMs: 3000 }));
  t.true(p.runUntil(() => w.s.closed, 10_000));
  t.is(w.s.error, 'timed-out');
  t.true(p.clock.now() - start >= 3000 && p.clock.now() - start < 3100);
  t.is(p.b.engine.connections().length, 0);
});

test('abort resets: the peer sees reset, the aborting side no error', (t) => {
  const p = hostPair({ record: true });
  let server: ReturnType<typeof watch> | undefined;
  p.a.listen(7, {}, (s) => {
    server = watch(s);
  });
  const client = p.b.connect({ host: p.addrA, port: 7 });
  const w = watch(client);
  t.true(p.runUntil(() => w.s.connected && server !== undefined));
  client.write(Buffer.from('hello'));
  client.abort();
  t.true(p.runUntil(() => w.s.closed && server!.s.closed, 5000));
  t.is(w.s.error, undefined);
  t.is(server!.s.error, 'reset');
  t.true(p.wire.some((x) => x.from === 'b' && (x.segment.flags & TcpFlag.RST) !== 0));
});

test('write back-pressure: false at the send buffer, drain once half is acknowledged', (t) => {
  const p = hostPair({ engine: { sndBuf: 64 * 1024, rcvBuf: 16 * 1024 } });
  let server: AppSocket | undefined;
  p.a.listen(7, {}, (s) => {
    server = s;
    s.pause(); // read nothing yet: the window fills
  });
  const client = p.b.connect({ host: p.addrA, port: 7 });
  t.true(p.runUntil(() => server !== undefined));
  let drains = 0;
  client.on('drain', () => drains++);
  let writes = 0;
  while (client.write(new Uint8Array(16 * 1024))) writes++;
  t.true(writes >= 2 && writes < 8, `writes before false: ${writes}`);
  p.runUntil(() => false, 2000);
  t.is(drains, 0, 'the receiver reads nothing: no drain');
  const got: Uint8Array[] = [];
  server!.on('data', (d) => got.push(d));
  server!.resume();
  t.true(p.runUntil(() => drains === 1, 5000));
  t.true(p.runUntil(() => got.reduce((n, d) => n + d.length, 0) === client.bytesWritten, 5000));
});

test('paused reader: read() pulls, the window reopens, end arrives after the last byte', (t) => {
  const p = hostPair({ engine: { rcvBuf: 32 * 1024 } });
  let server: AppSocket | undefined;
  p.a.listen(7, {}, (s) => {
    server = s;
    s.pause();
  });
  const client = p.b.connect({ host: p.addrA, port: 7 });
  const data = patternish(300_000, 3);
  client.on('connect', () => {
    client.write(data);
    client.shutdown();
  });
  t.true(p.runUntil(() => server !== undefined));
  let ended = false;
  server!.on('end', () => {
    ended = true;
  });
  const parts: Uint8Array[] = [];
  p.runUntil(() => false, 500);
  const bufferedWhilePaused = p.a.engine.info(server!.id)?.rcvUnconsumed ?? -1;
  // At most the receive buffer, give or take the window-scale rounding of one segment.
  t.true(
    bufferedWhilePaused > 0 && bufferedWhilePaused <= 32 * 1024 + 1460,
    `${bufferedWhilePaused}`,
  );
  t.true(
    p.runUntil(() => {
      const b = server!.read(5000);
      if (b) parts.push(b.slice());
      return ended;
    }, 60_000),
  );
  t.is(sha(Buffer.concat(parts)), sha(data));
});

test('half-close: the reading side keeps sending after the peer FIN', (t) => {
  const p = hostPair();
  let server: AppSocket | undefined;
  p.a.listen(7, {}, (s) => {
    server = s;
    s.on('end', () => {
      s.write(Buffer.from('late reply'));
      s.close();
    });
  });
  const client = p.b.connect({ host: p.addrA, port: 7 });
  const w = watch(client);
  client.on('connect', () => {
    client.write(Buffer.from('question'));
    client.shutdown();
  });
  const start = p.clock.now();
  t.true(p.runUntil(() => w.s.closed, 130_000));
  // The client closed second (passive close): no TIME-WAIT on its side, closed within RTTs.
  t.true(p.clock.now() - start < 1000);
  t.is(w.bytes().toString(), 'late reply');
  t.true(w.s.ended);
  t.is(w.s.error, undefined);
  t.truthy(server);
});

test('listen twice on one port is refused; sso and regenerable flags are kept per socket', (t) => {
  const p = hostPair();
  let accepted: AppSocket | undefined;
  p.a.listen(7, { sso: true, outputRegenerable: true }, (s) => {
    accepted = s;
  });
  t.throws(() => p.a.listen(7, {}, () => {}), { code: 'in-use' } as never);
  const client = p.b.connect({ host: p.addrA, port: 7, sso: false });
  t.true(p.runUntil(() => accepted !== undefined));
  t.true(accepted!.sso);
  t.true(accepted!.outputRegenerable);
  t.false(client.sso);
  client.setOptions({ sso: true });
  t.true(client.sso);
  t.is(p.a.status().sso, 1);
});

test('connect with an ISN near 2^32 and 200 kB each way stays byte-exact', (t) => {
  const p = hostPair();
  p.a.listen(7, {}, echoServer);
  const client = p.b.connect({ host: p.addrA, port: 7, isn: 2 ** 32 - 1000 });
  const w = watch(client);
  const data = patternish(200_000, 11);
  client.on('connect', () => {
    client.write(data);
    client.shutdown();
  });
  t.true(p.runUntil(() => w.s.ended, 60_000));
  t.is(sha(w.bytes()), sha(data));
});

test('an app callback that throws is logged and the stack carries on', (t) => {
  const logs: Record<string, unknown>[] = [];
  const p = hostPair({ logs });
  p.a.listen(7, {}, () => {
    throw new Error('app bug');
  });
  const w = watch(p.b.connect({ host: p.addrA, port: 7 }));
  t.true(p.runUntil(() => logs.some((e) => e.msg === 'application callback threw'), 5000));
  t.true(w.s.connected);
  t.is(p.a.engine.connections().length, 1);
});

test('a paused reader at a clean close still gets the last bytes and end, before close', (t) => {
  const p = hostPair();
  const order: string[] = [];
  let server: AppSocket | undefined;
  let got = 0;
  p.a.listen(9, {}, (s) => {
    server = s;
    s.pause(); // reads nothing until both ends have finished
    s.on('data', (d) => {
      got += d.length;
      if (!order.includes('data')) order.push('data');
    });
    s.on('end', () => {
      order.push('end');
      s.shutdown();
    });
    s.on('close', () => order.push('close'));
  });
  const c = p.b.connect({ host: p.addrA, port: 9 });
  const cw = watch(c);
  c.on('connect', () => {
    c.write(patternish(30_000, 9));
    c.shutdown();
  });
  // The server shuts down unprompted too, so both FINs cross while it is still paused.
  t.true(p.runUntil(() => server !== undefined));
  server!.shutdown();
  // Until the client is gone and 2MSL more (whichever end is in TIME-WAIT has left it).
  t.true(p.runUntil(() => cw.s.closed));
  const gone = p.clock.now() + 61_000;
  t.true(p.runUntil(() => p.clock.now() > gone, 120_000));
  t.deepEqual(order, [], 'nothing delivered while paused');
  server!.resume();
  t.true(p.runUntil(() => order.includes('close')));
  t.is(got, 30_000);
  t.deepEqual(order, ['data', 'end', 'close']);
});
