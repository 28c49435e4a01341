/**
 * The virtual chassis's wiring, derived from the lab file: which switch port
 * (ifIndex) carries which cable, and which host interface sits at its far end.
 */
import type { Lab } from '../lab/schema.ts';
import {
  BOARD_LAN_IF,
  cableBridge,
  nsOf,
  SWITCH_LAN_BRIDGE,
  shelfOf,
  switchPortIf,
} from './names.ts';

export interface CableEnd {
  host: string;
  role: 'board' | 'peer';
  /** Interface name inside the host namespace. */
  ifname: string;
  /** Switch-side interface in the switch namespace. */
  switchIf: string;
}

export interface SwitchPort {
  switchName: string;
  ifIndex: number;
  ifName: string;
  cable: string;
  /** lan: a port of the LAN bridge; p2p: a cable between two hosts (the IPC cable); idle: nothing attached. */
  kind: 'lan' | 'p2p' | 'idle';
  ends: CableEnd[];
  /** Switch-side bridge for p2p cables. */
  bridge?: string;
}

/** Switch ports numbered 1..n per switch in file order; interface names unique across switches. */
export function switchPorts(lab: Lab): SwitchPort[] {
  const ports: SwitchPort[] = [];
  let global = 0;
  for (const sw of lab.switches) {
    let ifIndex = 0;
    for (const [cable, ifName] of Object.entries(sw.ports)) {
      ifIndex++;
      global++;
      const ends: CableEnd[] = [];
      for (const b of lab.boards) {
        if (b.cables.front === cable)
          ends.push({ host: b.name, role: 'board', ifname: BOARD_LAN_IF, switchIf: '' });
        if (b.cables.ipc === cable)
          ends.push({ host: b.name, role: 'board', ifname: b.interfaces.ipc, switchIf: '' });
      }
      for (const p of lab.peers) {
        if (p.cable === cable)
          ends.push({ host: p.name, role: 'peer', ifname: p.lan.iface, switchIf: '' });
      }
      const kind = ends.length === 0 ? 'idle' : ends.length === 1 ? 'lan' : 'p2p';
      ends.forEach((e, i) => {
        e.switchIf =
          kind === 'p2p' ? switchPortIf(global, String.fromCharCode(97 + i)) : switchPortIf(global);
      });
      ports.push({
        switchName: sw.name,
        ifIndex,
        ifName,
        cable,
        kind,
        ends,
        bridge:
          kind === 'p2p' ? cableBridge(global) : kind === 'lan' ? SWITCH_LAN_BRIDGE : undefined,
      });
    }
  }
  return ports;
}

/** Interfaces a board carries into its namespace on power on (and back to its shelf on power off). */
export function boardLinks(lab: Lab, board: string): string[] {
  const links = ['mgmt'];
  for (const p of switchPorts(lab))
    for (const e of p.ends) if (e.host === board) links.push(e.ifname);
  return [...new Set(links)];
}

/** Namespace where a host's link ends are created: boards start on their shelf, peers in their own. */
export function homeNs(lab: Lab, host: string): string {
  return lab.boards.some((b) => b.name === host)
    ? shelfOf(lab.prefix, host)
    : nsOf(lab.prefix, host);
}
