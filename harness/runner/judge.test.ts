/**
 * Joining the two views of a connection: a drop either view saw fails it; a
 * break only one view saw while the other watched the same connection is
 * inconclusive and flagged; a clean connection passes.
 */
import test from 'ava';
import type { AgentEvent } from '../agent/events.ts';
import type { CaptureReport } from '../verdicts/analyze.ts';
import type { ConnectionReport } from '../verdicts/verdict.ts';
import { agentConnections, aliveIn, bytesIn, judgeIterations } from './judge.ts';

const T0 = 1_000_000;
const span = { index: 1, start: T0, end: T0 + 10_000 };

function agent(extra: AgentEvent[] = []): { peer: string; address: string; events: AgentEvent[] } {
  return {
    peer: 'peer1',
    address: '198.19.0.11',
    events: [
      { ts: T0 + 10, event: 'start', peer: 'peer1', target: '198.19.0.1', connections: 1 },
      {
        ts: T0 + 20,
        event: 'connect',
        conn: 0,
        app: 'stream',
        local: '198.19.0.11:40000',
        remote: '198.19.0.1:5001',
        seed: 1,
      },
      { ts: T0 + 1000, event: 'progress', conns: [[0, 1000, 900]] },
      { ts: T0 + 9000, event: 'progress', conns: [[0, 9000, 8800]] },
      ...extra,
    ],
  };
}

function capture(evidence: ConnectionReport['evidence'] = [], stallMs = 50): CaptureReport {
  const conn = {
    id: 0,
    client: '198.19.0.11:40000',
    server: '198.19.0.1:5001',
    firstFrame: 1,
    lastFrame: 100,
    firstMs: T0 + 20,
    lastMs: T0 + 9900,
    handshakeSeen: true,
    streamBytes: { clientToServer: 9000, serverToClient: 8800 },
    windowStalls: [
      {
        durationMs: stallMs,
        fromFrame: 5,
        toFrame: 6,
        fromMs: T0 + 5000,
        toMs: T0 + 5000 + stallMs,
      },
    ],
    evidenceCounts: {},
    evidence,
    verdict: evidence.length ? 'fail' : 'pass',
    reasons: [],
  } as unknown as ConnectionReport;
  return { file: 'p.pcap', connections: [conn] } as unknown as CaptureReport;
}

const rst = {
  kind: 'rst',
  severity: 'drop',
  from: '198.19.0.1:5001',
  frame: 42,
  timeMs: T0 + 5000,
  detail: 'RST',
} as const;

function judge(events: AgentEvent[], ev: ConnectionReport['evidence'], stallMs = 50) {
  const a = agent(events);
  const connections = agentConnections([a], '198.19.0.1');
  return judgeIterations({
    spans: [span],
    connections,
    agents: [a],
    captures: [{ report: capture(ev, stallMs), artifact: 'artifacts/p.pcap' }],
    maxStallMs: 1000,
    runStart: T0,
  }).get(1)!;
}

test('a clean connection is ok, with its bytes and stall', (t) => {
  const [c] = judge([], []);
  t.is(c!.verdict, 'ok');
  t.is(c!.connection, 'peer1/c0');
  t.is(c!.stallMs, 50);
  t.deepEqual(c!.bytes, { toChassis: 9000, fromChassis: 8800 });
});

test('both views see the break: drop, with the frame and the agent error', (t) => {
  const [c] = judge(
    [{ ts: T0 + 5010, event: 'error', conn: 0, error: 'reset', detail: 'ECONNRESET' }],
    [rst],
  );
  t.is(c!.verdict, 'drop');
  const rstEv = c!.evidence.find((e) => e.kind === 'rst');
  t.is(rstEv?.frame, 42);
  t.is(rstEv?.pcap, 'artifacts/p.pcap');
  t.is(rstEv?.time, 5000);
  t.true(c!.evidence.some((e) => e.kind === 'agent-error'));
});

test('the capture shows a RST the agent never felt: inconclusive, flagged', (t) => {
  const [c] = judge([], [rst]);
  t.is(c!.verdict, 'inconclusive');
  t.true(c!.evidence.some((e) => e.kind === 'disagreement'));
});

test('the agent reports a reset the capture does not show: inconclusive, flagged', (t) => {
  const [c] = judge(
    [{ ts: T0 + 5010, event: 'error', conn: 0, error: 'reset', detail: 'ECONNRESET' }],
    [],
  );
  t.is(c!.verdict, 'inconclusive');
  t.true(c!.evidence.some((e) => e.kind === 'disagreement'));
});

test('a stall over the limit fails the connection as a stall', (t) => {
  const [c] = judge([], [], 2500);
  t.is(c!.verdict, 'stall');
  t.is(c!.stallMs, 2500);
  t.true(c!.evidence.some((e) => e.kind === 'stall'));
});

test('a connection broken in an earlier span is not judged again', (t) => {
  const events: AgentEvent[] = [
    { ts: T0, event: 'connect', conn: 0, app: 'echo', local: 'a:1', remote: 'b:7', seed: 1 },
    { ts: T0 + 100, event: 'error', conn: 0, error: 'reset', detail: '' },
  ];
  t.true(aliveIn(events, 0, { index: 1, start: T0, end: T0 + 50 }));
  t.false(aliveIn(events, 0, { index: 2, start: T0 + 200, end: T0 + 300 }));
  t.deepEqual(bytesIn([], 0, span), { toChassis: 0, fromChassis: 0 });
});

test('a reconnect: the drop counts in the iteration it happened in, the next one sees traffic again', (t) => {
  const span1 = { index: 1, start: T0, end: T0 + 10_000 };
  const span2 = { index: 2, start: T0 + 10_000, end: T0 + 20_000 };
  const old = '198.19.0.11:40000';
  const fresh = '198.19.0.11:40001';
  const events: AgentEvent[] = [
    { ts: T0 + 10, event: 'start', peer: 'peer1', target: '198.19.0.1', connections: 1 },
    {
      ts: T0 + 20,
      event: 'connect',
      conn: 0,
      app: 'stream',
      local: old,
      remote: '198.19.0.1:5001',
      seed: 1,
      attempt: 0,
    },
    { ts: T0 + 5000, event: 'progress', conns: [[0, 5000, 4900]] },
    { ts: T0 + 9_700, event: 'error', conn: 0, error: 'reset', detail: 'ECONNRESET' },
    { ts: T0 + 9_900, event: 'progress', conns: [[0, 9000, 8800]] },
    // --reconnect-ms 1000: the new connection opens after the next fault started.
    {
      ts: T0 + 10_700,
      event: 'connect',
      conn: 0,
      app: 'stream',
      local: fresh,
      remote: '198.19.0.1:5001',
      seed: 65537,
      attempt: 1,
    },
    { ts: T0 + 15_000, event: 'progress', conns: [[0, 14_000, 13_800]] },
    { ts: T0 + 19_900, event: 'progress', conns: [[0, 19_000, 18_800]] },
  ];
  const a = { peer: 'peer1', address: '198.19.0.11', events };
  const flow = (client: string, firstMs: number, lastMs: number, evidence: unknown[]) => ({
    id: client === old ? 0 : 1,
    client,
    server: '198.19.0.1:5001',
    firstFrame: 1,
    lastFrame: 100,
    firstMs,
    lastMs,
    handshakeSeen: true,
    streamBytes: { clientToServer: 9000, serverToClient: 8800 },
    windowStalls: [
      { durationMs: 40, fromFrame: 5, toFrame: 6, fromMs: firstMs, toMs: firstMs + 40 },
      { durationMs: 40, fromFrame: 7, toFrame: 8, fromMs: firstMs, toMs: firstMs + 40 },
    ],
    evidenceCounts: {},
    evidence,
    verdict: evidence.length ? 'fail' : 'pass',
    reasons: [],
  });
  const report = {
    file: 'p.pcap',
    connections: [
      flow(old, T0 + 20, T0 + 9_700, [{ ...rst, timeMs: T0 + 9_700 }]),
      flow(fresh, T0 + 10_700, T0 + 19_950, [
        {
          kind: 'reconnect',
          severity: 'drop',
          from: fresh,
          frame: 60,
          timeMs: T0 + 10_700,
          detail: 'new SYN after the connection ended',
        },
      ]),
    ],
  } as unknown as CaptureReport;
  const connections = agentConnections([a], '198.19.0.1');
  t.deepEqual(
    connections[0]!.locals,
    [old, fresh],
    'both connections belong to agent connection 0',
  );
  const verdicts = judgeIterations({
    spans: [span1, span2],
    connections,
    agents: [a],
    captures: [{ report, artifact: 'artifacts/p.pcap' }],
    maxStallMs: 1000,
    runStart: T0,
  });
  const [first] = verdicts.get(1)!;
  t.is(first!.verdict, 'drop');
  const kinds = first!.evidence.map((e) => e.kind);
  for (const k of ['rst', 'reconnect', 'agent-error'] as const) t.true(kinds.includes(k), k);
  const [second] = verdicts.get(2)!;
  t.is(second!.verdict, 'ok', JSON.stringify(second!.evidence));
  t.deepEqual(second!.bytes, { toChassis: 10_000, fromChassis: 10_000 });
  t.false(second!.evidence.some((e) => e.kind === 'reconnect'));
});

test("another peer's capture (flooded frames, a stall open at its end) does not judge the connection", (t) => {
  const a = agent();
  const flooded = capture([], 0);
  const fc = flooded.connections[0]!;
  (fc as { windowStalls: unknown[] }).windowStalls = [
    {
      durationMs: 4000,
      fromFrame: 5,
      toFrame: 6,
      fromMs: T0 + 6000,
      toMs: T0 + 10_000,
      openAtEnd: true,
    },
  ];
  const judgeWith = (captures: Parameters<typeof judgeIterations>[0]['captures']) =>
    judgeIterations({
      spans: [span],
      connections: agentConnections([a], '198.19.0.1'),
      agents: [a],
      captures,
      maxStallMs: 1000,
      runStart: T0,
    }).get(1)![0]!;
  const own = { report: capture([], 50), artifact: 'artifacts/peer1.pcap', host: 'peer1' };
  const other = { report: flooded, artifact: 'artifacts/peer2.pcap', host: 'peer2' };
  t.is(judgeWith([own, other]).verdict, 'ok');
  t.is(judgeWith([own, other]).stallMs, 50);
  // Without a capture of its own, whatever capture saw it still counts.
  t.is(judgeWith([other]).verdict, 'stall');
});

test("a stall over the plan's limit is a stall, and the evidence names the limit", (t) => {
  const a = agent();
  const connections = agentConnections([a], '198.19.0.1');
  const run = (stallMs: number) =>
    judgeIterations({
      spans: [span],
      connections,
      agents: [a],
      captures: [{ report: capture([], stallMs), artifact: 'artifacts/p.pcap' }],
      maxStallMs: 1000,
      runStart: T0,
    }).get(1)![0]!;
  t.is(run(900).verdict, 'ok');
  const over = run(3200);
  t.is(over.verdict, 'stall');
  t.regex(over.evidence.find((e) => e.kind === 'stall')!.detail, /limit 1000 ms\)/);
});

test('an ACK for unsent bytes in a capture that lost packets is no proof: inconclusive, not corrupt', (t) => {
  const ackUnsent = {
    kind: 'ack-unsent',
    severity: 'drop',
    from: '198.19.0.11:40000',
    frame: 77,
    timeMs: T0 + 5000,
    detail: 'ACK 22176 bytes beyond the highest sequence sent',
  } as const;
  const a = agent();
  const connections = agentConnections([a], '198.19.0.1');
  const run = (droppedByCapture?: number) => {
    const report = capture([ackUnsent]);
    if (droppedByCapture !== undefined) report.droppedByCapture = droppedByCapture;
    return judgeIterations({
      spans: [span],
      connections,
      agents: [a],
      captures: [{ report, artifact: 'artifacts/p.pcap' }],
      maxStallMs: 1000,
      runStart: T0,
    }).get(1)![0]!;
  };
  t.is(run().verdict, 'corrupt', 'a whole capture proves it');
  const lossy = run(3818);
  t.is(lossy.verdict, 'inconclusive');
  t.true(lossy.evidence.some((e) => /lost 3818 packets: not proof/.test(e.detail)));
});

test('a stall counts for the fault it began in, not for the next one it runs into', (t) => {
  const a = agent([
    { ts: T0 + 12_500, event: 'stall', conn: 0, ms: 4000, since: T0 + 8500 } as AgentEvent,
  ]);
  const connections = agentConnections([a], '198.19.0.1');
  const second = { index: 2, start: T0 + 10_000, end: T0 + 20_000 };
  const report = capture([], 50);
  const conn0 = report.connections[0]!;
  (conn0 as { windowStalls: unknown[] }).windowStalls = [
    { durationMs: 4000, fromMs: T0 + 8500, toMs: T0 + 12_500 },
    { durationMs: 4000, fromMs: T0 + 8500, toMs: T0 + 12_500 },
  ];
  (conn0 as { lastMs: number }).lastMs = T0 + 19_000;
  const byIt = judgeIterations({
    spans: [span, second],
    connections,
    agents: [a],
    captures: [{ report, artifact: 'artifacts/p.pcap' }],
    maxStallMs: 1000,
    runStart: T0,
  });
  t.is(byIt.get(1)![0]!.verdict, 'stall');
  t.is(byIt.get(1)![0]!.stallMs, 4000);
  t.is(byIt.get(2)![0]!.verdict, 'ok');
  t.is(byIt.get(2)![0]!.stallMs, 0);
});
