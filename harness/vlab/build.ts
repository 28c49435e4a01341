/** Creating the virtual chassis's namespaces, bridges and cables (the hosts boot later). */
import { writeFileSync } from 'node:fs';
import type { Lab } from '../lab/schema.ts';
import type { VirtualHost } from './files.ts';
import { agentAddresses } from './files.ts';
import {
  mgmtBridge,
  mgmtPrefixLen,
  mgmtVethRoot,
  nsOf,
  SWITCH_LAN_BRIDGE,
  shelfOf,
  switchNs,
} from './names.ts';
import { ip, ipBatch, run } from './sh.ts';
import { homeNs, switchPorts } from './topology.ts';

async function nsQuiet(ns: string): Promise<void> {
  // No IPv6 chatter (router solicitations, MLD) on the lab's links and captures.
  await run('ip', [
    'netns',
    'exec',
    ns,
    'sysctl',
    '-qw',
    'net.ipv6.conf.all.disable_ipv6=1',
    'net.ipv6.conf.default.disable_ipv6=1',
  ]);
}

/**
 * A board's kernel TCP (its IPC link) as on a stock board: a congestion control that does not
 * pace. This machine's default may be BBR, which without the fq qdisc paces every IPC write with
 * a timer of its own (a fifth of the SSO throughput from the peers, for nothing on a cable).
 */
async function stockTcp(ns: string): Promise<void> {
  await run('ip', ['netns', 'exec', ns, 'sysctl', '-qw', 'net.ipv4.tcp_congestion_control=reno']);
}

export async function buildNetwork(lab: Lab, hosts: VirtualHost[]): Promise<void> {
  const p = lab.prefix;
  const sw = switchNs(p);
  const namespaces = [
    sw,
    ...lab.boards.map((b) => shelfOf(p, b.name)),
    ...lab.peers.map((peer) => nsOf(p, peer.name)),
  ];
  await ipBatch(
    undefined,
    namespaces.map((ns) => `netns add ${ns}`),
  );
  await Promise.all(namespaces.map(nsQuiet));
  await Promise.all(lab.boards.map((b) => stockTcp(shelfOf(p, b.name))));

  // Management bridge in the root namespace: the harness and the SNMP agent live here.
  const br = mgmtBridge(p);
  const len = mgmtPrefixLen(lab);
  const root = [`link add ${br} type bridge forward_delay 0 stp_state 0`];
  for (const h of hosts) {
    const v = mgmtVethRoot(p, h.name);
    root.push(
      `link add ${v} type veth peer name mgmt netns ${homeNs(lab, h.name)}`,
      `link set ${v} master ${br} up`,
    );
  }
  await ipBatch(undefined, root);
  writeFileSync(`/proc/sys/net/ipv6/conf/${br}/disable_ipv6`, '1');
  const addrs = [`addr add ${lab.virtual?.harnessAddress} dev ${br}`];
  for (const a of agentAddresses(lab)) addrs.push(`addr add ${a}/${len} dev ${br}`);
  addrs.push(`link set ${br} up`);
  await ipBatch(undefined, addrs);

  // The switch: one LAN bridge, and a bridge of its own per point-to-point cable.
  const lines = [
    'link set lo up',
    `link add ${SWITCH_LAN_BRIDGE} type bridge forward_delay 0 stp_state 0`,
  ];
  for (const port of switchPorts(lab)) {
    if (port.kind === 'p2p')
      lines.push(`link add ${port.bridge} type bridge forward_delay 0 stp_state 0`);
    for (const e of port.ends) {
      lines.push(
        `link add ${e.switchIf} type veth peer name ${e.ifname} netns ${homeNs(lab, e.host)}`,
        `link set ${e.switchIf} master ${port.bridge} up`,
      );
    }
    if (port.kind === 'p2p') lines.push(`link set ${port.bridge} up`);
  }
  lines.push(`link set ${SWITCH_LAN_BRIDGE} up`);
  await ipBatch(sw, lines);
}

/** Admin state of a switch port: down is a pulled cable (carrier lost at every end). */
export async function setPortAdmin(lab: Lab, ifs: string[], up: boolean): Promise<void> {
  await ipBatch(
    switchNs(lab.prefix),
    ifs.map((i) => `link set ${i} ${up ? 'up' : 'down'}`),
  );
}

export async function listNetns(): Promise<string[]> {
  const out = await ip(undefined, ['netns', 'list'], true);
  return out.stdout
    .split('\n')
    .map((l) => l.split(' ')[0] ?? '')
    .filter(Boolean);
}

/** PIDs of every process in a network namespace (none when it does not exist). */
export async function netnsPids(ns: string): Promise<number[]> {
  const out = await ip(undefined, ['netns', 'pids', ns], true);
  return out.stdout.split('\n').map(Number).filter(Boolean);
}
