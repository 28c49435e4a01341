/**
 * Traffic on the peers: the peer agent on every traffic peer, a
 * long-running SSH command whose standard input closing stops it cleanly
 * (so a runner that dies still stops it). Agent events are kept, logged
 * and put on the timeline.
 */
import { createWriteStream, type WriteStream } from 'node:fs';
import { join } from 'node:path';
import type { AgentOptions } from '../agent/agent.ts';
import { type AgentEvent, agentEventSchema } from '../agent/events.ts';
import type { Peer } from '../lab/schema.ts';
import { abortableSleep } from './chassis.ts';
import { ECHO_PORT, STREAM_PORT } from './daemon-config.ts';
import { RunnerError } from './errors.ts';
import type { LabAccess } from './lab-access.ts';
import { type StreamHandle, shellQuote } from './remote.ts';
import type { Timeline } from './timeline.ts';

/** What every agent of a run is told; `hitless` is the command that runs it on the peer. */
export type AgentSettings = Pick<
  AgentOptions,
  'target' | 'connections' | 'apps' | 'rateKbps' | 'direction' | 'stallMs' | 'seed'
> & { hitless: string };

export interface RunningAgent {
  peer: Peer;
  events: AgentEvent[];
  handle: StreamHandle;
  log: WriteStream;
  logFile: string;
}

export function agentCommand(peer: Peer, s: AgentSettings, index: number): string {
  // exec: the agent replaces the shell, so a signal to the group reaches it alone.
  return [
    'exec',
    s.hitless,
    'agent',
    `--target ${s.target}`,
    `--peer ${shellQuote(peer.name)}`,
    `--stream-port ${STREAM_PORT}`,
    `--echo-port ${ECHO_PORT}`,
    `--connections ${s.connections}`,
    `--apps ${s.apps.join(',')}`,
    `--rate-kbps ${Math.round(s.rateKbps)}`,
    `--direction ${s.direction}`,
    `--stall-ms ${s.stallMs}`,
    `--seed ${(s.seed * 1000 + index * 100 + 1) >>> 0}`,
    '--progress-ms 250',
    '--stop-on-stdin-close',
  ].join(' ');
}

export function startAgents(
  lab: LabAccess,
  peers: Peer[],
  settings: AgentSettings,
  timeline: Timeline,
  dir: string,
): RunningAgent[] {
  return peers.map((peer, i) => {
    const logFile = join(dir, `agent-${peer.name}.jsonl`);
    const log = createWriteStream(logFile);
    const events: AgentEvent[] = [];
    const handle = lab.host(peer.name).stream(agentCommand(peer, settings, i), (line, from) => {
      log.write(from === 'stdout' ? `${line}\n` : `${JSON.stringify({ stderr: line })}\n`);
      if (from !== 'stdout') return;
      let parsed: ReturnType<typeof agentEventSchema.safeParse>;
      try {
        parsed = agentEventSchema.safeParse(JSON.parse(line));
      } catch {
        return;
      }
      if (!parsed.success) return;
      const e = parsed.data;
      events.push(e);
      if (e.event !== 'progress' && e.event !== 'summary') {
        const { ts, event, ...detail } = e;
        timeline.add(peer.name, `agent.${event}`, detail, ts);
      }
    });
    timeline.add('harness', 'agent.start', { peer: peer.name });
    return { peer, events, handle, log, logFile };
  });
}

/** Resolve once every agent reported a connect or an error for each connection. */
export async function waitAgentsConnected(
  agents: RunningAgent[],
  connections: number,
  timeoutMs: number,
  signal?: AbortSignal,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const pending = agents.filter((a) => {
      const settled = new Set(
        a.events.flatMap((e) => (e.event === 'connect' || e.event === 'error' ? [e.conn] : [])),
      );
      return settled.size < connections;
    });
    if (pending.length === 0) return;
    const dead = pending.find((a) => a.handle.exited);
    if (dead)
      throw new RunnerError(
        'RUN_AGENT',
        `the agent on ${dead.peer.name} exited before connecting (see ${dead.logFile})`,
      );
    if (Date.now() > deadline)
      throw new RunnerError(
        'RUN_TIMEOUT',
        `agents on ${pending.map((a) => a.peer.name).join(', ')} did not connect within ${timeoutMs} ms`,
      );
    await abortableSleep(100, signal);
  }
}

export async function stopAgents(agents: RunningAgent[], timeline: Timeline): Promise<void> {
  await Promise.all(
    agents.map(async (a) => {
      const code = await a.handle.stop(8000);
      await new Promise<void>((r) => a.log.end(() => r()));
      timeline.add('harness', 'agent.stopped', { peer: a.peer.name, exit: code });
    }),
  );
}
