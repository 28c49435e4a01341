/**
 * The `apps:` entries of the daemon config. Each app runs as a server
 * (`port`) or as a client (`connect: addr:port`), never both.
 */
import { z } from 'zod';

const ADDR_PORT_RE = /^(\d{1,3}(?:\.\d{1,3}){3}):(\d{1,5})$/;

const port = z.number().int().min(1).max(65535);

const common = {
  /** Listen on this port (server). */
  port: port.optional(),
  /** Connect to this `a.b.c.d:port` (client). */
  connect: z
    .string()
    .regex(ADDR_PORT_RE, 'expected an IPv4 address and port, e.g. 198.18.2.2:5001')
    .optional(),
  /** Client only: how many connections to open. */
  connections: z.number().int().min(1).max(10_000).default(1),
  /** Ask for stateful switchover of this app's connections (HA). */
  sso: z.boolean().default(false),
  /** Nagle's algorithm on this app's connections. */
  nagle: z.boolean().optional(),
  backlog: z.number().int().min(1).max(65_535).optional(),
};

export const echoAppSchema = z.object({ kind: z.literal('echo'), ...common }).strict();
export const discardAppSchema = z.object({ kind: z.literal('discard'), ...common }).strict();
export const streamAppSchema = z
  .object({
    kind: z.literal('stream'),
    ...common,
    /** Client: seed of the first connection (the next ones count up); default random. */
    seed: z.number().int().min(0).max(0xffffffff).optional(),
    /** Bytes to send per direction, then half-close; default: until the peer ends. */
    bytes: z.number().int().min(0).optional(),
  })
  .strict();

function oneRole<T extends { port?: number | undefined; connect?: string | undefined }>(
  app: T,
  ctx: z.RefinementCtx,
): void {
  if ((app.port === undefined) === (app.connect === undefined)) {
    ctx.addIssue({
      code: 'custom',
      message: 'give exactly one of `port` (server) or `connect` (client)',
      path: ['port'],
    });
  }
}

export const appSpecSchema = z
  .discriminatedUnion('kind', [echoAppSchema, discardAppSchema, streamAppSchema])
  .superRefine(oneRole);

export const appsSchema = z.array(appSpecSchema).default([]);

export type AppSpec = z.infer<typeof appSpecSchema>;

/** '198.18.2.2:5001' → host and port (validated by the schema already). */
export function parseAddrPort(text: string): { host: string; port: number } {
  const m = ADDR_PORT_RE.exec(text);
  if (!m) throw new RangeError(`not an address:port: '${text}'`);
  return { host: m[1]!, port: Number(m[2]) };
}
