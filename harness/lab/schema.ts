/**
 * The lab file: one schema for the real lab and the virtual chassis. The
 * harness drives both through the same fields; only `kind` and the optional
 * `virtual` section tell them apart. Secrets never appear inline: every
 * password, community and key is a reference to an environment variable or a
 * file, resolved only when a driver needs it.
 */
import { z } from 'zod';
import { POWER_MODELS } from '../../drivers/power/index.ts';

/** A secret by reference: `{env: NAME}` or `{file: path}` (`{state}` expands to the lab's state dir). */
export const SecretRef = z.union([
  z.strictObject({
    env: z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'an environment variable name'),
  }),
  z.strictObject({ file: z.string().min(1) }),
]);
export type SecretRef = z.infer<typeof SecretRef>;

const name = z.string().regex(/^[a-z][a-z0-9-]*$/, 'lower-case letters, digits and dashes');
const ipv4 = z.ipv4();
const cidr = z
  .string()
  .regex(
    /^(\d{1,3}\.){3}\d{1,3}\/\d{1,2}$/,
    'an IPv4 address with prefix length, e.g. 198.19.0.11/24',
  );
const port = z.number().int().min(1).max(65535);

export const SshEndpoint = z.strictObject({
  host: z.string().min(1).describe('management address or host name'),
  port: port.default(22),
  user: z.string().min(1),
  key: SecretRef.describe('private key (file path or environment variable holding the key text)'),
});
export type SshEndpoint = z.infer<typeof SshEndpoint>;

export const ConsoleSpec = z.strictObject({
  port: z.string().min(1).describe('serial device path, e.g. /dev/ttyUSB0 or {state}/rp0/console'),
  baud: z.number().int().positive().default(115200),
  user: z.string().min(1).default('root'),
  password: SecretRef,
  prompt: z
    .string()
    .optional()
    .describe('regular expression of the shell prompt, if not the default'),
});
export type ConsoleSpec = z.infer<typeof ConsoleSpec>;

export const Board = z.strictObject({
  name,
  slot: z.union([z.literal(0), z.literal(1)]),
  console: ConsoleSpec,
  ssh: SshEndpoint,
  power: z.strictObject({ pdu: name, outlet: z.number().int().min(1) }),
  interfaces: z
    .strictObject({
      front: z
        .string()
        .min(1)
        .default('front0')
        .describe('front LAN interface (bridge) the stack joins'),
      ipc: z.string().min(1).default('ipc0').describe('dedicated IPC interface'),
      ipcAddress: cidr.optional().describe('kernel address on the IPC interface, if any'),
      frontAddress: cidr
        .optional()
        .describe("the board's own kernel address on the front bridge (LAN heartbeats), if any"),
    })
    .prefault({}),
  cables: z
    .strictObject({
      front: z.string().min(1).describe('cable (switch port map key) of the front LAN link'),
      ipc: z.string().min(1).describe('cable of the IPC link'),
    })
    .describe('cable names, keys of a switch `ports` map'),
  config: z.string().optional().describe('stack daemon config path on the board'),
});
export type Board = z.infer<typeof Board>;

export const Peer = z.strictObject({
  name,
  ssh: SshEndpoint,
  lan: z.strictObject({
    iface: z.string().min(1).default('eth0'),
    address: cidr,
  }),
  cable: z.string().min(1).describe('cable (switch port map key) of the peer LAN link'),
});
export type Peer = z.infer<typeof Peer>;

/** The PDU models the power drivers speak. */
export const PduModel = z.enum(POWER_MODELS);
export type PduModel = z.infer<typeof PduModel>;

export const Communities = z.strictObject({ read: SecretRef, write: SecretRef });
export type Communities = z.infer<typeof Communities>;

/** For model `generic`: the OIDs (outlet number appended) and values to use. */
export const GenericPduOids = z.strictObject({
  control: z.string().regex(/^\.?\d+(\.\d+)*$/),
  state: z
    .string()
    .regex(/^\.?\d+(\.\d+)*$/)
    .optional(),
  on: z.number().int(),
  off: z.number().int(),
  cycle: z.number().int().optional(),
  stateOn: z.number().int().optional(),
  stateOff: z.number().int().optional(),
});

export const Pdu = z.strictObject({
  name,
  model: PduModel,
  address: z.string().min(1).optional().describe('SNMP agent address (not for manual)'),
  port: port.default(161),
  communities: Communities.optional(),
  outlets: z.number().int().min(1).default(8),
  generic: GenericPduOids.optional(),
});
export type Pdu = z.infer<typeof Pdu>;

export const Switch = z.strictObject({
  name,
  model: z.enum(['snmp-ifmib', 'manual']),
  address: z.string().min(1).optional(),
  port: port.default(161),
  communities: Communities.optional(),
  ports: z
    .record(z.string().min(1), z.string().min(1))
    .describe('cable name -> ifName (snmp-ifmib) or a description for the operator (manual)'),
});
export type Switch = z.infer<typeof Switch>;

export const CapturePoint = z.strictObject({
  name,
  host: name.describe('a peer or board name'),
  iface: z.string().min(1),
});
export type CapturePoint = z.infer<typeof CapturePoint>;

/** Settings only the virtual chassis reads. */
export const VirtualSettings = z.strictObject({
  harnessAddress: cidr.describe('root-namespace address of the management bridge; sets the subnet'),
  bootMs: z.number().int().min(0).default(2000),
  rebootPauseMs: z.number().int().min(0).default(1000),
  daemon: z
    .string()
    .optional()
    .describe(
      'command that starts the stack daemon; default: this checkout `hitless rpd --config`',
    ),
});
export type VirtualSettings = z.infer<typeof VirtualSettings>;

export const LabShape = z.strictObject({
  $schema: z.string().optional(),
  name: z.string().min(1),
  description: z.string().optional(),
  kind: z.enum(['virtual', 'real']),
  prefix: z
    .string()
    .regex(
      /^[a-z][a-z0-9]{0,5}$/,
      '1-6 lower-case letters/digits (interface names stay within 15 chars)',
    ),
  stateDir: z.string().optional().describe('default /run/hitless/labs/<prefix>'),
  knownHosts: z.string().min(1).describe('known_hosts file that pins every host key'),
  chassis: z
    .strictObject({
      address: ipv4.describe('chassis address on the front LAN'),
      prefixLength: z.number().int().min(8).max(32).default(24),
      mac: z
        .string()
        .regex(/^([0-9a-f]{2}:){5}[0-9a-f]{2}$/, 'a MAC address, lower-case hex')
        .optional(),
    })
    .optional(),
  boards: z.array(Board).length(2),
  peers: z.array(Peer).default([]),
  pdus: z.array(Pdu).min(1),
  switches: z.array(Switch).default([]),
  captures: z.array(CapturePoint).default([]),
  virtual: VirtualSettings.optional(),
});

function inTestRange(addr: string): boolean {
  const [a, b] = (addr.split('/')[0] ?? '').split('.').map(Number);
  return a === 198 && (b === 18 || b === 19);
}

/** The lab schema with its cross-references checked (names exist, slots differ, virtual rules). */
export const LabSchema = LabShape.superRefine((lab, ctx) => {
  const issue = (path: (string | number)[], message: string) =>
    ctx.addIssue({ code: 'custom', path, message });
  const hosts = [...lab.boards.map((b) => b.name), ...lab.peers.map((p) => p.name)];
  hosts.forEach((h, i) => {
    if (hosts.indexOf(h) === i) return;
    const at = i < lab.boards.length ? ['boards', i] : ['peers', i - lab.boards.length];
    issue([...at, 'name'], `host name "${h}" used twice`);
  });
  if (lab.boards[0]?.slot === lab.boards[1]?.slot)
    issue(['boards', 1, 'slot'], 'the two boards need slots 0 and 1');
  const pdus = new Map(lab.pdus.map((p) => [p.name, p]));
  lab.boards.forEach((b, i) => {
    const pdu = pdus.get(b.power.pdu);
    if (!pdu) issue(['boards', i, 'power', 'pdu'], `no PDU named "${b.power.pdu}"`);
    else if (b.power.outlet > pdu.outlets)
      issue(['boards', i, 'power', 'outlet'], `PDU ${pdu.name} has ${pdu.outlets} outlets`);
  });
  lab.pdus.forEach((p, i) => {
    if (p.model === 'manual') return;
    if (!p.address) issue(['pdus', i, 'address'], `model ${p.model} needs an address`);
    if (!p.communities) issue(['pdus', i, 'communities'], `model ${p.model} needs communities`);
    if (p.model === 'generic' && !p.generic)
      issue(['pdus', i, 'generic'], 'model generic needs its OIDs');
  });
  const cables = new Set<string>();
  lab.switches.forEach((s, i) => {
    if (s.model === 'manual') return;
    if (!s.address) issue(['switches', i, 'address'], 'model snmp-ifmib needs an address');
    if (!s.communities) issue(['switches', i, 'communities'], 'model snmp-ifmib needs communities');
  });
  for (const s of lab.switches) for (const c of Object.keys(s.ports)) cables.add(c);
  const captureHosts = new Set(hosts);
  lab.captures.forEach((c, i) => {
    if (!captureHosts.has(c.host)) issue(['captures', i, 'host'], `no host named "${c.host}"`);
  });
  if (lab.kind !== 'virtual') return;
  // The virtual chassis builds every cable from the switch port maps.
  if (!lab.virtual) issue(['virtual'], 'a virtual lab needs its `virtual` section');
  else if (!inTestRange(lab.virtual.harnessAddress))
    issue(['virtual', 'harnessAddress'], 'must be in 198.18.0.0/15');
  lab.boards.forEach((b, i) => {
    for (const key of ['frontAddress', 'ipcAddress'] as const) {
      const a = b.interfaces[key];
      if (a && !inTestRange(a)) issue(['boards', i, 'interfaces', key], 'must be in 198.18.0.0/15');
    }
    if (b.name.length > 6)
      issue(['boards', i, 'name'], 'virtual host names have at most 6 characters');
    if (!inTestRange(b.ssh.host))
      issue(['boards', i, 'ssh', 'host'], 'must be an address in 198.18.0.0/15');
    if (!cables.has(b.cables.front))
      issue(['boards', i, 'cables', 'front'], `no switch port for cable "${b.cables.front}"`);
    if (!cables.has(b.cables.ipc))
      issue(['boards', i, 'cables', 'ipc'], `no switch port for cable "${b.cables.ipc}"`);
  });
  if (lab.boards[0] && lab.boards[1] && lab.boards[0].cables.ipc !== lab.boards[1].cables.ipc)
    issue(['boards', 1, 'cables', 'ipc'], 'both boards must share one IPC cable');
  if (lab.chassis && !inTestRange(lab.chassis.address))
    issue(['chassis', 'address'], 'must be in 198.18.0.0/15');
  lab.peers.forEach((p, i) => {
    if (p.name.length > 6)
      issue(['peers', i, 'name'], 'virtual host names have at most 6 characters');
    if (!inTestRange(p.ssh.host))
      issue(['peers', i, 'ssh', 'host'], 'must be an address in 198.18.0.0/15');
    if (!inTestRange(p.lan.address))
      issue(['peers', i, 'lan', 'address'], 'must be in 198.18.0.0/15');
    if (!cables.has(p.cable)) issue(['peers', i, 'cable'], `no switch port for cable "${p.cable}"`);
  });
  lab.pdus.forEach((p, i) => {
    if (p.address && !inTestRange(p.address))
      issue(['pdus', i, 'address'], 'must be in 198.18.0.0/15');
  });
  lab.switches.forEach((s, i) => {
    if (s.model !== 'snmp-ifmib')
      issue(['switches', i, 'model'], 'the virtual switch is snmp-ifmib');
    if (s.address && !inTestRange(s.address))
      issue(['switches', i, 'address'], 'must be in 198.18.0.0/15');
  });
});

/** A validated lab as written (paths not yet expanded). */
export type LabFile = z.infer<typeof LabSchema>;

/** A loaded lab: every path expanded (`{state}`, relative to the lab file) and the state dir fixed. */
export type Lab = LabFile & { stateDir: string; file: string };

/** JSON Schema for editors (`# yaml-language-server: $schema=...`). */
export function labJsonSchema(): unknown {
  return z.toJSONSchema(LabShape, { io: 'input', unrepresentable: 'any' });
}
