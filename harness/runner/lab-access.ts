/**
 * The lab as the runner drives it: an SSH shell per host, a power driver per
 * board (drivers/power, from the board's PDU entry) and cable control. The
 * same code drives the virtual chassis and a real lab; only the lab file
 * differs.
 */
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLinkDriver, type LinkDriver, type LinkOptions } from '../../drivers/link/index.ts';
import {
  createPowerDriver,
  type PowerDriver,
  type PowerOptions,
} from '../../drivers/power/index.ts';
import { findCable, resolveSecret } from '../lab/load.ts';
import type { Board, Lab, Peer, SecretRef, SshEndpoint } from '../lab/schema.ts';
import { RunnerError } from './errors.ts';
import { OpenSshHost, type RemoteHost } from './remote.ts';

export interface LabAccess {
  lab: Lab;
  host(name: string): RemoteHost;
  board(name: string): Board;
  peers(names?: string[]): Peer[];
  power(board: string, action: 'on' | 'off'): Promise<void>;
  powerState(board: string): Promise<'on' | 'off'>;
  link(cable: string, state: 'up' | 'down'): Promise<void>;
  close(): void;
}

function pduOptions(lab: Lab, board: Board): PowerOptions {
  const pdu = lab.pdus.find((p) => p.name === board.power.pdu);
  if (!pdu)
    throw new RunnerError('RUN_LAB', `board ${board.name}: no PDU named ${board.power.pdu}`);
  if (pdu.model === 'manual')
    return { model: 'manual', device: pdu.name, outlet: board.power.outlet };
  if (!pdu.address || !pdu.communities)
    throw new RunnerError('RUN_LAB', `PDU ${pdu.name}: address and communities are required`);
  const common = {
    device: pdu.name,
    host: pdu.address,
    port: pdu.port,
    community: resolveSecret(pdu.communities.write),
    outlet: board.power.outlet,
  };
  if (pdu.model === 'generic') {
    const g = pdu.generic;
    if (!g)
      throw new RunnerError('RUN_LAB', `PDU ${pdu.name}: model generic needs a generic: block`);
    return {
      ...common,
      model: 'generic',
      controlOid: g.control,
      ...(g.state ? { stateOid: g.state } : {}),
      values: { on: g.on, off: g.off },
      ...(g.stateOn !== undefined && g.stateOff !== undefined
        ? { stateValues: { on: g.stateOn, off: g.stateOff } }
        : {}),
    };
  }
  return { ...common, model: pdu.model };
}

function linkOptions(lab: Lab, cable: string): LinkOptions {
  const where = findCable(lab, cable);
  if (!where || where.switch.model === 'manual') {
    return { model: 'manual', cable, description: where?.ifName ?? `cable ${cable}` };
  }
  const sw = where.switch;
  if (!sw.address || !sw.communities)
    throw new RunnerError('RUN_LAB', `switch ${sw.name}: address and communities are required`);
  return {
    model: 'snmp-ifmib',
    device: sw.name,
    cable,
    host: sw.address,
    port: sw.port,
    community: resolveSecret(sw.communities.write),
    ifName: where.ifName,
    // The IPC port has carrier only while both boards are powered: check the admin state.
    waitOper: false,
  };
}

export function openLab(lab: Lab): LabAccess {
  let keyDir: string | undefined;
  const keyFile = (ref: SecretRef): string => {
    if ('file' in ref) return ref.file;
    keyDir ??= mkdtempSync(join(tmpdir(), 'hitless-run-key-'));
    const file = join(keyDir, ref.env);
    writeFileSync(file, resolveSecret(ref, { raw: true }), { mode: 0o600 });
    chmodSync(file, 0o600);
    return file;
  };
  const shells = new Map<string, RemoteHost>();
  const target = (name: string, ssh: SshEndpoint) =>
    new OpenSshHost({
      name,
      host: ssh.host,
      port: ssh.port,
      user: ssh.user,
      keyFile: keyFile(ssh.key),
      knownHosts: lab.knownHosts,
    });
  for (const b of lab.boards) shells.set(b.name, target(b.name, b.ssh));
  for (const p of lab.peers) shells.set(p.name, target(p.name, p.ssh));
  const drivers = new Map<string, PowerDriver>();
  const links = new Map<string, LinkDriver>();
  const board = (name: string): Board => {
    const b = lab.boards.find((x) => x.name === name);
    if (!b) throw new RunnerError('RUN_LAB', `lab ${lab.name}: no board named ${name}`);
    return b;
  };
  const driver = (name: string): PowerDriver => {
    let d = drivers.get(name);
    if (!d) {
      d = createPowerDriver(pduOptions(lab, board(name)));
      drivers.set(name, d);
    }
    return d;
  };
  return {
    lab,
    board,
    host(name) {
      const h = shells.get(name);
      if (!h) throw new RunnerError('RUN_LAB', `lab ${lab.name}: no host named ${name}`);
      return h;
    },
    peers(names) {
      if (!names) return lab.peers;
      return names.map((n) => {
        const p = lab.peers.find((x) => x.name === n);
        if (!p) throw new RunnerError('RUN_LAB', `lab ${lab.name}: no peer named ${n}`);
        return p;
      });
    },
    async power(name, action) {
      const d = driver(name);
      await (action === 'on' ? d.on() : d.off());
    },
    powerState: (name) => driver(name).status(),
    async link(cable, state) {
      let d = links.get(cable);
      if (!d) {
        d = createLinkDriver(linkOptions(lab, cable));
        links.set(cable, d);
      }
      await (state === 'up' ? d.up() : d.down());
    },
    close() {
      for (const d of drivers.values()) d.close();
      for (const d of links.values()) d.close();
      if (keyDir) rmSync(keyDir, { recursive: true, force: true });
    },
  };
}
