/**
 * results.json: everything one campaign run produced, in one versioned file
 * (`schema: "hitless-results/1"`). The runner writes it, every report is
 * regenerated from it. Field meanings are documented in reports/RESULTS.md.
 *
 * All `time` values are milliseconds since `run.startedAt` (so charts and
 * tables need no clock arithmetic); absolute instants are ISO 8601 strings.
 */
import { z } from 'zod';

export const RESULTS_SCHEMA_ID = 'hitless-results/1';
export const RESULTS_FILE = 'results.json';

/** Upper bounds that keep a nightly results.json small enough to render. */
export const LIMITS = {
  iterations: 10_000,
  timelineEvents: 50_000,
  samplesPerConnection: 5_000,
  evidencePerConnection: 200,
} as const;

const runTime = z.number().min(0).describe('milliseconds since run.startedAt');
const optTime = runTime.optional();
const nonNegMs = z.number().min(0);
const name = z.string().min(1);
const kebab = z.string().regex(/^[a-z0-9][a-z0-9-]*$/, 'lower-case words joined by "-"');

export const IterationStatus = z.enum(['pass', 'fail', 'error', 'skipped', 'expected-degraded']);
export const ExpectedOutcome = z.enum(['hitless', 'expected-degraded']);
export const ConnectionVerdict = z.enum(['ok', 'drop', 'stall', 'corrupt', 'inconclusive']);
export const Role = z.enum(['down', 'booting', 'standby', 'hot-standby', 'disconnected', 'active']);
export const ArtifactKind = z.enum([
  'pcap',
  'console-log',
  'daemon-log',
  'agent-log',
  'timeline',
  'config',
  'other',
]);
export const RunVerdict = z.enum(['pass', 'fail', 'error']);

export const Artifact = z.strictObject({
  path: z
    .string()
    .min(1)
    .refine((p) => !p.startsWith('/') && !p.split(/[\\/]/).includes('..'), {
      message: 'must be a relative path inside the run directory',
    }),
  kind: ArtifactKind,
  label: z.string().optional(),
  bytes: z.number().int().min(0).optional(),
});

export const Board = z.strictObject({
  slot: z.number().int().min(0),
  name,
  model: z.string().optional(),
  serial: z.string().optional(),
  firmware: z.string().optional(),
  mac: z.string().optional(),
  stackVersion: z.string().optional(),
});

export const Run = z.strictObject({
  id: name,
  testplan: z.strictObject({
    name,
    file: z.string().optional(),
    description: z.string().optional(),
  }),
  seed: z.number().int(),
  lab: z.strictObject({ name, kind: z.enum(['virtual', 'real']), file: z.string().optional() }),
  stack: z.strictObject({
    version: name,
    gitSha: z.string().regex(/^[0-9a-f]{7,40}$/, 'a git commit hash'),
    dirty: z.boolean().optional(),
  }),
  boards: z.array(Board).min(1),
  host: z.strictObject({ hostname: name, node: z.string().optional() }).optional(),
  startedAt: z.iso.datetime({ offset: true }),
  endedAt: z.iso.datetime({ offset: true }),
  error: z
    .strictObject({ code: name, message: name })
    .optional()
    .describe('an infrastructure error outside any iteration (the run did not complete)'),
});

export const Checks = z.strictObject({
  noDrop: z.boolean(),
  dataIntegrity: z.boolean(),
  maxStallMs: nonNegMs.optional(),
  maxSwitchoverMs: nonNegMs.optional(),
  maxResyncMs: nonNegMs.optional(),
});

export const Connection = z.strictObject({
  id: name,
  peer: name,
  app: z.enum(['stream', 'echo', 'bgp', 'other']),
  local: name.describe('peer side, address:port'),
  remote: name.describe('chassis side, address:port'),
});

export const Evidence = z.strictObject({
  kind: z.enum([
    'rst',
    'fin',
    'syn',
    'hole',
    'retransmit-mismatch',
    'stall',
    'agent-error',
    'reconnect',
    'disagreement',
    'note',
  ]),
  time: runTime,
  frame: z.number().int().min(1).optional().describe('frame number in `pcap`'),
  pcap: z.string().optional().describe('artifact path of the capture holding `frame`'),
  detail: z.string(),
});

export const Bytes = z.strictObject({
  toChassis: z.number().int().min(0),
  fromChassis: z.number().int().min(0),
});

export const ConnectionResult = z.strictObject({
  connection: name,
  verdict: ConnectionVerdict,
  stallMs: nonNegMs.nullable().describe('null: never resumed within the observation window'),
  bytes: Bytes,
  evidence: z.array(Evidence).max(LIMITS.evidencePerConnection),
});

export const Times = z.strictObject({
  inject: optTime,
  detection: optTime,
  takeover: optTime,
  firstPeerProgress: optTime,
  heal: optTime,
  resyncDone: optTime,
});

/** The moments of a fault iteration, in the order they happen. */
export const TIME_KEYS = Object.keys(Times.shape) as Array<keyof z.infer<typeof Times>>;

export const Iteration = z.strictObject({
  index: z.number().int().min(1),
  kind: kebab,
  params: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])).optional(),
  target: z.strictObject({ slot: z.number().int().min(0), role: Role }).optional(),
  expected: ExpectedOutcome,
  status: IterationStatus,
  summary: z.string(),
  error: z.strictObject({ code: name, message: name }).optional(),
  times: Times,
  stallMs: nonNegMs.nullable(),
  bytes: Bytes,
  connections: z.array(ConnectionResult),
  artifacts: z.array(Artifact),
});

export const RoleChange = z.strictObject({
  time: runTime,
  slot: z.number().int().min(0),
  board: name,
  from: Role,
  to: Role,
  reason: z.string().optional(),
});

export const TimelineEvent = z.strictObject({
  time: runTime,
  source: name,
  kind: name,
  detail: z.string(),
  iteration: z.number().int().min(1).optional(),
});

export const Progress = z.strictObject({
  connection: name,
  samples: z
    .array(z.tuple([runTime, z.number().min(0)]))
    .max(LIMITS.samplesPerConnection)
    .describe('[time, cumulative bytes acknowledged, both directions], time ascending'),
});

const percentiles = z.strictObject({
  n: z.number().int().min(0),
  min: z.number().nullable(),
  median: z.number().nullable(),
  p95: z.number().nullable(),
  p99: z.number().nullable(),
  max: z.number().nullable(),
});

export const KindStatistics = z.strictObject({
  kind: z.string(),
  iterations: z.number().int().min(0),
  stallMs: percentiles,
  switchoverMs: percentiles,
  resyncMs: percentiles,
});

export const Totals = z.strictObject({
  iterations: z.number().int().min(0),
  pass: z.number().int().min(0),
  fail: z.number().int().min(0),
  error: z.number().int().min(0),
  skipped: z.number().int().min(0),
  expectedDegraded: z.number().int().min(0),
  connections: z.number().int().min(0),
  bytes: Bytes,
});

export const Statistics = z.strictObject({
  totals: Totals,
  overall: KindStatistics,
  perKind: z.array(KindStatistics),
});

export const Results = z.strictObject({
  $schema: z.string().optional(),
  schema: z.literal(RESULTS_SCHEMA_ID),
  verdict: RunVerdict,
  run: Run,
  checks: Checks,
  connections: z.array(Connection),
  iterations: z.array(Iteration).max(LIMITS.iterations),
  roleChanges: z.array(RoleChange),
  timeline: z.array(TimelineEvent).max(LIMITS.timelineEvents),
  progress: z.array(Progress),
  artifacts: z.array(Artifact),
  statistics: Statistics,
});

export type Results = z.infer<typeof Results>;
export type Run = z.infer<typeof Run>;
export type Iteration = z.infer<typeof Iteration>;
export type IterationStatus = z.infer<typeof IterationStatus>;
export type ConnectionResult = z.infer<typeof ConnectionResult>;
export type Evidence = z.infer<typeof Evidence>;
export type Artifact = z.infer<typeof Artifact>;
export type RoleChange = z.infer<typeof RoleChange>;
export type TimelineEvent = z.infer<typeof TimelineEvent>;
export type Progress = z.infer<typeof Progress>;
export type Sample = Progress['samples'][number];
export type Statistics = z.infer<typeof Statistics>;
export type KindStatistics = z.infer<typeof KindStatistics>;
export type Percentiles = KindStatistics['stallMs'];
export type RunVerdict = z.infer<typeof RunVerdict>;

/** The editor-facing JSON Schema of results.json. */
export function resultsJsonSchema(): Record<string, unknown> {
  return {
    ...z.toJSONSchema(Results, { target: 'draft-2020-12', io: 'input' }),
    title: 'hitless campaign results (hitless-results/1)',
  };
}
