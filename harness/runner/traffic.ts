/**
 * Traffic and captures on the peers: tcpdump on every capture point and the
 * peer agent on every traffic peer, each a long-running SSH command whose
 * standard input closing stops it cleanly (so a runner that dies still
 * stops them). Agent events are kept, logged and put on the timeline;
 * captures are fetched with tcpdump's closing statistics beside them.
 */
import { createWriteStream, type WriteStream, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type AgentEvent, agentEventSchema } from '../agent/events.ts';
import type { CapturePoint, Peer } from '../lab/schema.ts';
import { abortableSleep } from './chassis.ts';
import { ECHO_PORT, STREAM_PORT } from './daemon-config.ts';
import { RunnerError } from './errors.ts';
import type { LabAccess } from './lab-access.ts';
import { type RemoteHost, type StreamHandle, shellQuote } from './remote.ts';
import type { Timeline } from './timeline.ts';

export interface AgentSettings {
  hitless: string;
  target: string;
  connections: number;
  apps: Array<'stream' | 'echo'>;
  rateKbps: number;
  direction: 'both' | 'to-chassis' | 'from-chassis';
  stallMs: number;
  seed: number;
}

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

export interface RunningCapture {
  point: CapturePoint;
  shell: RemoteHost;
  remoteFile: string;
  handle: StreamHandle;
  stderr: string[];
}

export function startCaptures(
  lab: LabAccess,
  points: CapturePoint[],
  filterHost: string,
  runId: string,
  timeline: Timeline,
): RunningCapture[] {
  return points.map((point) => {
    const shell = lab.host(point.host);
    const remoteFile = `/var/tmp/hitless-${runId}-${point.name}.pcap`;
    const stderr: string[] = [];
    // tcpdump runs until told (SIGTERM to its pid: it flushes its last
    // buffer and prints its statistics) or until the SSH channel's input
    // ends (the runner died). A background job's input is /dev/null, so the
    // watcher reads the channel through fd 3. The shell outlives both and
    // reaps them.
    const cmd =
      `exec 3<&0; tcpdump -i ${shellQuote(point.iface)} -U -n -s 0 -w ${shellQuote(remoteFile)} host ${filterHost} </dev/null & p=$!; ` +
      'echo "capture-pid:$p" >&2; ' +
      '( while read -r _ <&3; do :; done; kill -TERM $p 2>/dev/null ) & w=$!; exec 3<&-; ' +
      'wait $p; s=$?; kill $w 2>/dev/null; wait $w 2>/dev/null; exit $s';
    const handle = shell.stream(
      cmd,
      (line, from) => {
        if (from === 'stderr') stderr.push(line);
      },
      '',
    );
    timeline.add('harness', 'capture.start', {
      capture: point.name,
      host: point.host,
      iface: point.iface,
    });
    return { point, shell, remoteFile, handle, stderr };
  });
}

export async function waitCapturesListening(
  caps: RunningCapture[],
  timeoutMs: number,
  signal?: AbortSignal,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const pending = caps.filter((c) => !c.stderr.some((l) => /listening on/.test(l)));
    if (pending.length === 0) return;
    const dead = pending.find((c) => c.handle.exited);
    if (dead)
      throw new RunnerError(
        'RUN_CAPTURE',
        `tcpdump on ${dead.point.host} did not start: ${dead.stderr.join(' | ')}`,
      );
    if (Date.now() > deadline)
      throw new RunnerError(
        'RUN_TIMEOUT',
        `tcpdump did not start on ${pending.map((c) => c.point.host).join(', ')}`,
      );
    await abortableSleep(50, signal);
  }
}

/** Stop every capture, fetch the files into `dir` (with a .stats sidecar) and remove them remotely. */
export async function stopCaptures(
  caps: RunningCapture[],
  dir: string,
  timeline: Timeline,
): Promise<string[]> {
  await Promise.all(
    caps.map(async (c) => {
      const pid = c.stderr.map((l) => /^capture-pid:(\d+)/.exec(l)?.[1]).find(Boolean);
      if (pid && !c.handle.exited) await c.shell.exec(`kill -TERM ${pid}`).catch(() => undefined);
      await c.handle.stop(8000);
    }),
  );
  const files: string[] = [];
  for (const c of caps) {
    const local = join(dir, `${c.point.name}.pcap`);
    try {
      const bytes = await c.shell.fetch(c.remoteFile, local);
      writeFileSync(`${local}.stats`, `${c.stderr.join('\n')}\n`);
      files.push(local);
      timeline.add('harness', 'capture.fetched', { capture: c.point.name, bytes });
    } catch (err) {
      timeline.add('harness', 'capture.lost', {
        capture: c.point.name,
        message: (err as Error).message,
      });
    }
    await c.shell.exec(`rm -f ${shellQuote(c.remoteFile)}`).catch(() => undefined);
  }
  return files;
}
