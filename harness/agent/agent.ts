/**
 * The peer agent: runs on a peer host (started over SSH by the runner), opens
 * kernel TCP connections to the chassis address and keeps traffic flowing
 * until told to stop (SIGTERM, SIGINT, or its standard input closing when the
 * SSH channel goes away), then prints a summary. Output: agent events, one
 * JSON object a line.
 */
import { AgentClient } from './client.ts';
import type { AgentEvent } from './events.ts';

export interface AgentOptions {
  peer: string;
  target: string;
  streamPort: number;
  echoPort: number;
  connections: number;
  apps: Array<'stream' | 'echo'>;
  rateKbps: number;
  direction: 'both' | 'to-chassis' | 'from-chassis';
  stallMs: number;
  seed: number;
  progressMs: number;
  connectTimeoutMs: number;
  /** Reconnect this long after an error (0: never). */
  reconnectMs: number;
  /** Stop by itself after this long (0: run until told to stop). */
  durationMs: number;
}

const TICK_MS = 5;

function percentile(sorted: number[], p: number): number | undefined {
  if (sorted.length === 0) return undefined;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

export function runAgent(
  o: AgentOptions,
  write: (line: string) => void = (l) => process.stdout.write(l),
): { stop: () => Promise<void>; done: Promise<void> } {
  const now = () => Date.now();
  const emit = (e: AgentEvent) => write(`${JSON.stringify(e)}\n`);
  emit({ ts: now(), event: 'start', peer: o.peer, target: o.target, connections: o.connections });
  const clients: AgentClient[] = [];
  for (let i = 0; i < o.connections; i++) {
    const app = o.apps[i % o.apps.length]!;
    const client = new AgentClient({
      conn: i,
      app,
      host: o.target,
      port: app === 'stream' ? o.streamPort : o.echoPort,
      seed: (o.seed + i) >>> 0,
      rate: (o.rateKbps * 1000) / 8,
      direction: o.direction,
      stallMs: o.stallMs,
      connectTimeoutMs: o.connectTimeoutMs,
      reconnectMs: o.reconnectMs,
      emit,
      now,
    });
    clients.push(client);
    client.start();
  }
  const ticker = setInterval(() => {
    const t = now();
    for (const c of clients) c.tick(t);
  }, TICK_MS);
  const reporter = setInterval(() => {
    emit({ ts: now(), event: 'progress', conns: clients.map((c, i) => [i, c.sent, c.verified]) });
  }, o.progressMs);

  let resolveDone: () => void = () => {};
  const done = new Promise<void>((r) => {
    resolveDone = r;
  });
  let stopped = false;
  const stop = async (): Promise<void> => {
    if (stopped) return done;
    stopped = true;
    clearInterval(ticker);
    clearInterval(reporter);
    const t = now();
    emit({ ts: t, event: 'progress', conns: clients.map((c, i) => [i, c.sent, c.verified]) });
    const conns = clients.map((c, i) => {
      const sorted = [...c.rtts].sort((a, b) => a - b);
      return {
        conn: i,
        app: o.apps[i % o.apps.length]!,
        sent: c.sent,
        verified: c.verified,
        errors: c.errors,
        maxStallMs: c.stallNow(t),
        rttP50Ms: percentile(sorted, 50),
        rttP99Ms: percentile(sorted, 99),
      };
    });
    emit({
      ts: t,
      event: 'summary',
      conns,
      errors: conns.reduce((n, c) => n + c.errors, 0),
      maxStallMs: conns.reduce((m, c) => Math.max(m, c.maxStallMs), 0),
    });
    for (const c of clients) c.stop();
    resolveDone();
    return done;
  };
  if (o.durationMs > 0) setTimeout(() => void stop(), o.durationMs).unref();
  return { stop, done };
}
