/**
 * The testplan file format: which lab, what traffic, which faults and how
 * often, what counts as a pass, which reports. Defined once here; the
 * TypeScript types and the editors' JSON Schema both come from it.
 */
import { z } from 'zod';

export const FAULT_KINDS = [
  'power-off-active',
  'power-cycle-active',
  'kill-active',
  'freeze-active',
  'pull-ipc-cable',
  'pull-front-cable-active',
  'reboot-standby',
  'kill-standby-during-bulk-sync',
  'planned-switchover',
  'double-fault',
] as const;
export type FaultKind = (typeof FAULT_KINDS)[number];

const duration = z.number().int().nonnegative().describe('milliseconds');

const range = z
  .object({ min: duration, max: duration })
  .strict()
  .refine((r) => r.min <= r.max, { message: 'min must not exceed max' });

export const faultEntrySchema = z
  .object({
    kind: z.enum(FAULT_KINDS),
    count: z.number().int().positive().default(1).describe('how many times this fault is injected'),
    hold_ms: duration
      .optional()
      .describe('how long the fault stays before it heals (freeze, pulls)'),
  })
  .strict();

export const testplanSchema = z
  .object({
    name: z.string().regex(/^[a-z0-9][a-z0-9-]*$/, 'lowercase letters, digits and dashes'),
    description: z.string().optional(),
    lab: z.string().optional().describe('lab file, relative to the testplan; the CLI --lab wins'),
    stack: z
      .object({
        deploy: z.enum(['checkout', 'installed']).default('checkout'),
        heartbeat: z
          .object({ interval_ms: z.number().int().positive(), misses: z.number().int().min(2) })
          .strict()
          .default({ interval_ms: 10, misses: 3 }),
        key_file: z.boolean().default(true).describe('authenticate IPC with a per-run shared key'),
        replication: z
          .boolean()
          .default(true)
          .describe(
            'false: the daemons run with replication off (the harness must then catch drops)',
          ),
      })
      .strict()
      .default({
        deploy: 'checkout',
        heartbeat: { interval_ms: 10, misses: 3 },
        key_file: true,
        replication: true,
      }),
    traffic: z
      .object({
        peers: z.array(z.string()).min(1).optional().describe('peer names; default all peers'),
        connections_per_peer: z.number().int().positive().max(1000).default(4),
        apps: z
          .array(z.enum(['stream', 'echo']))
          .min(1)
          .default(['stream', 'echo']),
        rate_kbps: z.number().positive().default(2000).describe('per connection, each direction'),
        direction: z.enum(['both', 'to-chassis', 'from-chassis']).default('both'),
      })
      .strict(),
    faults: z
      .object({
        seed: z.number().int().nonnegative().default(1),
        spacing_ms: z.union([duration, range]).default(5000),
        warmup_ms: duration.default(2000),
        order: z
          .enum(['listed', 'shuffled'])
          .default('shuffled')
          .describe('run the schedule as written, or mixed by the seed'),
        schedule: z.array(faultEntrySchema).min(1),
      })
      .strict(),
    settle: z
      .object({
        standby_hot_timeout_ms: duration.default(30000),
        boot_timeout_ms: duration.default(20000),
      })
      .strict()
      .default({ standby_hot_timeout_ms: 30000, boot_timeout_ms: 20000 }),
    checks: z
      .object({
        no_drop: z.boolean().default(true),
        data_integrity: z.boolean().default(true),
        max_stall_ms: duration.default(1000),
        switchover_ms: duration.optional().describe('bound on detection to takeover'),
        resync_ms: duration.optional().describe('bound on rejoin to hot'),
      })
      .strict()
      .default({ no_drop: true, data_integrity: true, max_stall_ms: 1000 }),
    reports: z
      .array(z.enum(['json', 'junit', 'html', 'md', 'pdf']))
      .default(['json', 'junit', 'html', 'md']),
  })
  .strict();

export type Testplan = z.infer<typeof testplanSchema>;
export type FaultEntry = z.infer<typeof faultEntrySchema>;

/** The JSON Schema editors use to complete and check testplans. */
export function testplanJsonSchema(): unknown {
  return z.toJSONSchema(testplanSchema, { io: 'input' });
}
