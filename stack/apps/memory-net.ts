/**
 * An in-memory AppNet for testing apps without a TCP stack: connected socket
 * pairs, asynchronous delivery, back-pressure (write returns false while the
 * peer holds more than `highWater` unread bytes), half-close and abort.
 */
import {
  type AppListener,
  type AppNet,
  type AppSocket,
  type ConnectOptions,
  type ListenOptions,
  SocketError,
  type SocketEvents,
  type SocketOptions,
} from '../tcp/host/socket-api.ts';

type Handlers = { [E in keyof SocketEvents]: SocketEvents[E][] };

let nextId = 1;

class MemorySocket implements AppSocket {
  readonly id = nextId++;
  peer!: MemorySocket;
  sso = false;
  outputRegenerable = false;
  bytesRead = 0;
  bytesWritten = 0;
  private readonly rx: Uint8Array[] = [];
  private rxBytes = 0;
  private flowing = true;
  private peerEnded = false;
  private endSent = false;
  private writeEnded = false;
  private closed = false;
  private needDrain = false;
  private scheduled = false;
  private readonly handlers: Handlers = {
    connect: [],
    data: [],
    end: [],
    drain: [],
    error: [],
    close: [],
  };

  constructor(
    readonly localAddress: string,
    readonly localPort: number,
    readonly remoteAddress: string,
    readonly remotePort: number,
    private readonly highWater: number,
    opts: SocketOptions,
  ) {
    this.setOptions(opts);
  }

  get sndBuf(): number {
    return this.highWater;
  }

  on<E extends keyof SocketEvents>(event: E, fn: SocketEvents[E]): this {
    this.handlers[event].push(fn);
    return this;
  }
  off<E extends keyof SocketEvents>(event: E, fn: SocketEvents[E]): this {
    const list = this.handlers[event] as SocketEvents[E][];
    const i = list.indexOf(fn);
    if (i >= 0) list.splice(i, 1);
    return this;
  }
  emit<E extends keyof SocketEvents>(event: E, ...args: Parameters<SocketEvents[E]>): void {
    for (const fn of [...this.handlers[event]]) (fn as (...a: typeof args) => void)(...args);
  }

  write(bytes: Uint8Array): boolean {
    if (this.writeEnded) throw new SocketError('closed', 'write after end');
    if (this.closed) return false;
    this.bytesWritten += bytes.length;
    this.peer.arrive(bytes.slice());
    if (this.peer.rxBytes > this.highWater) this.needDrain = true;
    return !this.needDrain;
  }
  shutdown(): void {
    if (this.writeEnded || this.closed) return;
    this.writeEnded = true;
    this.peer.peerEnded = true;
    this.peer.kick();
    this.kick();
  }
  close(): void {
    this.shutdown();
    this.flowing = true;
  }
  abort(): void {
    if (this.closed) return;
    this.destroy(false);
    this.peer.fail(new SocketError('reset', 'connection reset by peer'));
  }
  pause(): void {
    this.flowing = false;
  }
  resume(): void {
    this.flowing = true;
    this.kick();
  }
  read(max = Number.POSITIVE_INFINITY): Uint8Array | null {
    if (this.rxBytes === 0) return null;
    const all = Buffer.concat(this.rx);
    const out = all.subarray(0, Math.min(max, all.length));
    this.rx.length = 0;
    if (out.length < all.length) this.rx.push(all.subarray(out.length));
    this.rxBytes -= out.length;
    this.peer.unblocked();
    return out;
  }
  setOptions(opts: SocketOptions): void {
    if (opts.sso !== undefined) this.sso = opts.sso;
    if (opts.outputRegenerable !== undefined) this.outputRegenerable = opts.outputRegenerable;
  }

  private arrive(bytes: Uint8Array): void {
    this.rx.push(bytes);
    this.rxBytes += bytes.length;
    this.kick();
  }
  private unblocked(): void {
    if (this.needDrain && this.peer.rxBytes <= this.highWater / 2) {
      this.needDrain = false;
      setImmediate(() => this.emit('drain'));
    }
  }
  private fail(err: SocketError): void {
    if (this.closed) return;
    setImmediate(() => {
      this.emit('error', err);
      this.destroy(true);
    });
  }
  private destroy(hadError: boolean): void {
    this.closed = true;
    this.writeEnded = true;
    setImmediate(() => this.emit('close', hadError));
  }
  kick(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      while (this.flowing && this.rx.length > 0 && !this.closed) {
        const chunk = this.rx.shift()!;
        this.rxBytes -= chunk.length;
        this.bytesRead += chunk.length;
        this.emit('data', chunk);
      }
      this.peer.unblocked();
      if (this.peerEnded && this.rxBytes === 0 && !this.endSent && !this.closed) {
        this.endSent = true;
        this.emit('end');
        if (this.writeEnded) this.bothEnded();
      } else if (this.endSent && this.writeEnded) this.bothEnded();
    });
  }
  private bothEnded(): void {
    if (this.closed) return;
    this.destroy(false);
    if (this.peer.endSent) return;
    this.peer.kick();
  }
}

export class MemoryNet implements AppNet {
  private readonly listeners = new Map<
    number,
    { opts: ListenOptions; fn: (s: AppSocket) => void }
  >();
  private nextPort = 40000;

  constructor(
    readonly address = '198.18.0.1',
    private readonly highWater = 256 * 1024,
  ) {}

  listen(port: number, opts: ListenOptions, fn: (s: AppSocket) => void): AppListener {
    if (this.listeners.has(port)) throw new SocketError('in-use', `port ${port} in use`);
    this.listeners.set(port, { opts, fn });
    return { port, close: () => this.listeners.delete(port) };
  }

  connect(opts: ConnectOptions): AppSocket {
    const localPort = opts.localPort ?? this.nextPort++;
    const client = new MemorySocket(
      this.address,
      localPort,
      opts.host,
      opts.port,
      this.highWater,
      opts,
    );
    const listener = this.listeners.get(opts.port);
    setImmediate(() => {
      if (!listener) {
        client.emit('error', new SocketError('refused', 'connection refused'));
        client.emit('close', true);
        return;
      }
      const server = new MemorySocket(
        opts.host,
        opts.port,
        this.address,
        localPort,
        this.highWater,
        listener.opts,
      );
      client.peer = server;
      server.peer = client;
      listener.fn(server);
      client.emit('connect');
      client.kick();
      server.kick();
    });
    return client;
  }
}
