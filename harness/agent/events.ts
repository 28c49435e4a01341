/**
 * What the peer agent reports, one JSON object a line on stdout. The runner
 * parses these lines back with the same schema, so both ends agree on them.
 */
import { z } from 'zod';

export const AGENT_ERRORS = [
  'connect-failed',
  'reset',
  'broken-pipe',
  'timeout',
  'unexpected-close',
  'mismatch',
] as const;
export type AgentErrorKind = (typeof AGENT_ERRORS)[number];

const base = { ts: z.number().describe('epoch milliseconds on the peer host') };

export const agentEventSchema = z.discriminatedUnion('event', [
  z.object({
    ...base,
    event: z.literal('start'),
    peer: z.string(),
    target: z.string(),
    connections: z.number(),
  }),
  z.object({
    ...base,
    event: z.literal('connect'),
    conn: z.number(),
    app: z.enum(['stream', 'echo']),
    local: z.string(),
    remote: z.string(),
    seed: z.number(),
    /** 0 for the first connection, then one more for every reconnect after an error. */
    attempt: z.number().int().min(0).optional(),
  }),
  z.object({
    ...base,
    event: z.literal('progress'),
    /** [conn, bytes sent, bytes verified] per connection. */
    conns: z.array(z.tuple([z.number(), z.number(), z.number()])),
  }),
  z.object({
    ...base,
    event: z.literal('stall'),
    conn: z.number(),
    ms: z.number(),
    /** When the stall began (epoch ms). */
    since: z.number(),
  }),
  z.object({
    ...base,
    event: z.literal('error'),
    conn: z.number(),
    error: z.enum(AGENT_ERRORS),
    detail: z.string(),
  }),
  z.object({
    ...base,
    event: z.literal('summary'),
    conns: z.array(
      z.object({
        conn: z.number(),
        app: z.enum(['stream', 'echo']),
        sent: z.number(),
        verified: z.number(),
        errors: z.number(),
        maxStallMs: z.number(),
        rttP50Ms: z.number().optional(),
        rttP99Ms: z.number().optional(),
      }),
    ),
    errors: z.number(),
    maxStallMs: z.number(),
  }),
]);

export type AgentEvent = z.infer<typeof agentEventSchema>;

/** Parse agent output; lines that are not agent events come back as `noise`. */
export function parseAgentOutput(text: string): { events: AgentEvent[]; noise: string[] } {
  const events: AgentEvent[] = [];
  const noise: string[] = [];
  for (const line of text.split('\n')) {
    if (!line.trim()) continue;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch {
      noise.push(line);
      continue;
    }
    const parsed = agentEventSchema.safeParse(value);
    if (parsed.success) events.push(parsed.data);
    else noise.push(line);
  }
  return { events, noise };
}
