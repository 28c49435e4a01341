/**
 * The board daemon's config file (YAML). The keys are a contract that later
 * work and outside checks rely on; unknown keys are errors so typos show.
 */
import { join } from 'node:path';
import { z } from 'zod';
import { appsSchema } from '../apps/config.ts';
import { loadYamlConfig, parseYamlConfig } from '../schema/yaml-config.ts';
import { isIpv4, parseIpv4, parseIpv4Cidr, parseMac } from '../wire/address.ts';

const ipv4 = z.string().refine(isIpv4, 'expected an IPv4 address, e.g. 198.18.1.1');

const cidr = z.string().refine((s) => {
  try {
    parseIpv4Cidr(s);
    return true;
  } catch {
    return false;
  }
}, 'expected an IPv4 address with prefix length, e.g. 198.18.2.1/24');

const mac = z.string().refine((s) => {
  try {
    return (parseMac(s)[0]! & 1) === 0;
  } catch {
    return false;
  }
}, 'expected a unicast MAC address, e.g. 02:00:5e:10:00:01');

// Linux interface names: 1..15 characters, no slash or whitespace
const ifname = z
  .string()
  .regex(/^[A-Za-z0-9_.-]{1,15}$/, 'expected an interface name of 1 to 15 characters');

export const frontSchema = z
  .object({
    /** TAP device the daemon creates. */
    tap: ifname,
    /** Chassis address and prefix, owned by the stack (by the active board only, with HA). */
    address: cidr,
    /** Chassis MAC (the same on both boards). */
    mac,
    /** Existing bridge the daemon joins its TAP to. */
    bridge: ifname.optional(),
    /** Next hop for destinations off the subnet. */
    gateway: ipv4.optional(),
    mtu: z.number().int().min(576).max(9000).default(1500),
  })
  .strict();

export const haSchema = z
  .object({
    ipc: z.object({ local: ipv4, mate: ipv4, port: z.number().int().min(1).max(65535) }).strict(),
    /** The boards' own kernel addresses on the front LAN (second heartbeat path). */
    lan: z.object({ local: ipv4, mate: ipv4 }).strict(),
    /**
     * Heartbeats on both paths, sent and heard by a thread of their own. The mate is dead when
     * both paths are silent for interval_ms × misses. `hang_ms`: when the daemon's event loop
     * has not run for this long it is wedged and its heartbeats stop, so the mate takes over
     * (after hang_ms + detection); default 500 ms, or 3 × interval_ms if that is longer.
     */
    heartbeat: z
      .object({
        interval_ms: z.number().int().min(1).max(60_000).default(10),
        misses: z.number().int().min(1).max(1000).default(3),
        hang_ms: z
          .number()
          .int()
          .min(2)
          .max(600_000)
          .optional()
          .describe(
            'Event-loop hang after which the heartbeats stop (the mate takes over); default 500 ms, or 3 × interval_ms if longer',
          ),
      })
      .strict()
      .refine((h) => h.hang_ms === undefined || h.hang_ms >= 2 * h.interval_ms, {
        message: 'hang_ms must be at least 2 × interval_ms',
        path: ['hang_ms'],
      })
      .default({ interval_ms: 10, misses: 3 }),
    /**
     * How long the active keeps holding output for the standby's confirmations once IPC alone
     * is lost (the peers stall that long); default 2 x detection time.
     */
    alarm_timeout_ms: z.number().int().min(1).max(600_000).optional(),
    /** Shared key authenticating IPC messages. */
    key_file: z.string().min(1).optional(),
  })
  .strict();

/** Largest receive buffer a window scale of 7 can announce. */
const MAX_RCV_BUF = 65535 << 7;
const DEFAULT_RCV_BUF = 4 * 1_048_576;
const DEFAULT_SND_BUF = 2_097_152;

/**
 * Per-connection buffers, as Linux's tcp_rmem / tcp_wmem. The receive buffer is the window
 * offered to the peers and the send buffer bounds the data in flight: both must hold a
 * bandwidth-delay product, and with HA the output commit adds the IPC round trip to every RTT.
 * Memory is taken only as data waits (idle connections hold none); the worst case is
 * connections × (rcv_buf + snd_buf). Sizes measured on the virtual chassis (stack/ha README).
 */
export const tcpSchema = z
  .object({
    rcv_buf: z
      .number()
      .int()
      .min(4096)
      .max(MAX_RCV_BUF)
      .default(DEFAULT_RCV_BUF)
      .describe('Receive buffer per connection in bytes: the most a peer may send unacknowledged'),
    snd_buf: z
      .number()
      .int()
      .min(4096)
      .max(64 * 1_048_576)
      .default(DEFAULT_SND_BUF)
      .describe('Send buffer per connection in bytes: the most data queued or in flight'),
  })
  .strict()
  .describe('Per-connection TCP buffers (as tcp_rmem / tcp_wmem)');

export const rpdConfigSchema = z
  .object({
    slot: z.number().int().min(0).max(1),
    front: frontSchema,
    ha: haSchema.optional(),
    tcp: tcpSchema.default({ rcv_buf: DEFAULT_RCV_BUF, snd_buf: DEFAULT_SND_BUF }),
    apps: appsSchema,
    /** Directory of the status socket; default /run/hitless. */
    run_dir: z.string().min(1).optional(),
    /** Gratuitous ARPs sent when the daemon takes the address. */
    announce: z
      .object({
        count: z.number().int().min(1).max(100).default(3),
        interval_ms: z.number().int().min(1).max(10_000).default(100),
      })
      .strict()
      .default({ count: 3, interval_ms: 100 }),
    log_level: z.enum(['debug', 'info', 'warn', 'error']).default('info'),
  })
  .strict();

export type RpdConfig = z.infer<typeof rpdConfigSchema>;

/** The config with addresses in the stack's own forms. */
export interface ResolvedFront {
  tap: string;
  address: number;
  prefixLength: number;
  mac: Uint8Array;
  gateway?: number;
  bridge?: string;
  mtu: number;
}

export function resolveFront(config: RpdConfig): ResolvedFront {
  const { address, prefixLength } = parseIpv4Cidr(config.front.address);
  const front: ResolvedFront = {
    tap: config.front.tap,
    address,
    prefixLength,
    mac: parseMac(config.front.mac),
    mtu: config.front.mtu,
  };
  if (config.front.gateway) front.gateway = parseIpv4(config.front.gateway);
  if (config.front.bridge) front.bridge = config.front.bridge;
  return front;
}

export const DEFAULT_RUN_DIR = '/run/hitless';

/** The status socket: `<run_dir>/rpd-<tap>.sock`. */
export function statusSocketPath(config: RpdConfig): string {
  return join(config.run_dir ?? DEFAULT_RUN_DIR, `rpd-${config.front.tap}.sock`);
}

export function loadRpdConfig(file: string): RpdConfig {
  return loadYamlConfig(file, rpdConfigSchema);
}

export function parseRpdConfig(text: string, file = '<config>'): RpdConfig {
  return parseYamlConfig(text, rpdConfigSchema, file);
}

/** JSON Schema of the config, for editors. */
export function rpdConfigJsonSchema(): unknown {
  return z.toJSONSchema(rpdConfigSchema, { io: 'input' });
}
