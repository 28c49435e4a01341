/**
 * Maps the lab model onto the drivers' plain options: which PDU outlet powers
 * a board, which switch port is a cable, how to reach a host over SSH, where a
 * board's console is, and where the lab's lease lives. Secrets are resolved
 * here and handed to drivers only, never printed.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { SerialConsole } from '../../drivers/console/serial-console.ts';
import type { LoginOptions } from '../../drivers/console/session.ts';
import { createLinkDriver, type LinkDriver, type LinkOptions } from '../../drivers/link/index.ts';
import {
  createPowerDriver,
  type PowerDriver,
  type PowerOptions,
} from '../../drivers/power/index.ts';
import { SshShell } from '../../drivers/shell/ssh-shell.ts';
import { LabError } from '../lab/errors.ts';
import { findCable, findHost, resolveSecret } from '../lab/load.ts';
import type { Board, Lab } from '../lab/schema.ts';

export function boardOf(lab: Lab, name: string): Board {
  const board = lab.boards.find((b) => b.name === name);
  if (!board)
    throw new LabError(
      'LAB_UNKNOWN_HOST',
      `lab ${lab.name}: no board named "${name}" (boards: ${lab.boards.map((b) => b.name).join(', ')})`,
    );
  return board;
}

export function powerOptions(lab: Lab, boardName: string): PowerOptions {
  const board = boardOf(lab, boardName);
  const pdu = lab.pdus.find((p) => p.name === board.power.pdu)!;
  const outlet = board.power.outlet;
  if (pdu.model === 'manual') return { model: 'manual', device: pdu.name, outlet };
  if (!pdu.address || !pdu.communities)
    throw new LabError(
      'LAB_SECRET_MISSING',
      `lab ${lab.name}: PDU ${pdu.name} needs an address and communities`,
    );
  const base = {
    device: pdu.name,
    host: pdu.address,
    port: pdu.port,
    community: resolveSecret(pdu.communities.write),
    outlet,
  };
  if (pdu.model === 'generic') {
    const g = pdu.generic;
    if (!g)
      throw new LabError(
        'LAB_SECRET_MISSING',
        `lab ${lab.name}: PDU ${pdu.name} (generic) needs its generic OIDs`,
      );
    return {
      model: 'generic',
      ...base,
      controlOid: g.control,
      stateOid: g.state,
      values: { on: g.on, off: g.off },
      stateValues:
        g.stateOn !== undefined && g.stateOff !== undefined
          ? { on: g.stateOn, off: g.stateOff }
          : undefined,
    };
  }
  return { model: pdu.model, ...base };
}

export function powerFor(lab: Lab, boardName: string): PowerDriver {
  return createPowerDriver(powerOptions(lab, boardName));
}

export function linkOptions(lab: Lab, cable: string): LinkOptions {
  const found = findCable(lab, cable);
  if (!found) {
    const known = lab.switches.flatMap((s) => Object.keys(s.ports));
    throw new LabError(
      'LAB_UNKNOWN_HOST',
      `lab ${lab.name}: no cable named "${cable}" (cables: ${known.join(', ')})`,
    );
  }
  const sw = found.switch;
  if (sw.model === 'manual')
    return { model: 'manual', cable, description: `${sw.name}: ${found.ifName}` };
  if (!sw.address || !sw.communities)
    throw new LabError(
      'LAB_SECRET_MISSING',
      `lab ${lab.name}: switch ${sw.name} needs an address and communities`,
    );
  return {
    model: 'snmp-ifmib',
    device: sw.name,
    cable,
    host: sw.address,
    port: sw.port,
    community: resolveSecret(sw.communities.write),
    ifName: found.ifName,
  };
}

export function linkFor(lab: Lab, cable: string): LinkDriver {
  return createLinkDriver(linkOptions(lab, cable));
}

export function shellFor(lab: Lab, hostName: string): SshShell {
  const { ssh } = findHost(lab, hostName);
  return new SshShell({
    name: hostName,
    host: ssh.host,
    port: ssh.port,
    user: ssh.user,
    privateKey: resolveSecret(ssh.key, { raw: true }),
    knownHosts: readFileSync(lab.knownHosts, 'utf8'),
  });
}

export function consoleFor(lab: Lab, boardName: string, logFile?: string): Promise<SerialConsole> {
  const board = boardOf(lab, boardName);
  return SerialConsole.open({
    name: board.name,
    path: board.console.port,
    baudRate: board.console.baud,
    logFile,
  });
}

export function loginOptions(lab: Lab, boardName: string): LoginOptions {
  const c = boardOf(lab, boardName).console;
  return {
    user: c.user,
    password: resolveSecret(c.password),
    prompt: c.prompt ? new RegExp(c.prompt) : undefined,
  };
}

export function leaseFile(lab: Lab): string {
  return join(lab.stateDir, 'lease.json');
}
