/** Talking to a running lab's supervisor: status, power, cables. */
import { connect } from 'node:net';
import { LabError } from '../lab/errors.ts';
import { DEFAULT_LAB_FILE, loadLab } from '../lab/load.ts';
import type { Lab } from '../lab/schema.ts';
import { statePaths } from './names.ts';
import { supervisorPid } from './teardown.ts';

export type VlabStatus = {
  up: boolean;
  kind?: 'virtual' | 'real';
  name: string;
  prefix: string;
  hosts: {
    name: string;
    role: string;
    mgmt: string;
    lan?: string;
    power: string;
    console?: string;
    outlet?: number;
    bootedAt?: number;
  }[];
  ports: {
    switch: string;
    ifIndex: number;
    ifName: string;
    cable: string;
    ends: string[];
    admin: string;
    oper: string;
  }[];
  outlets: { outlet: number; on: boolean; powers?: string }[];
};

/** A virtual lab from a file or a loaded Lab; a real lab is refused. */
export function asLab(lab?: string | Lab): Lab {
  const l = typeof lab === 'object' ? lab : loadLab(lab ?? DEFAULT_LAB_FILE);
  if (l.kind !== 'virtual')
    throw new LabError(
      'LAB_NOT_VIRTUAL',
      `lab ${l.name} (${l.file}) is a real lab; only a virtual lab can be brought up or down`,
    );
  return l;
}

/** One request to the lab's supervisor. */
export function controlRequest<T>(
  lab: Lab,
  req: Record<string, unknown>,
  timeoutMs = 15_000,
): Promise<T> {
  return new Promise((resolvePromise, reject) => {
    const sock = connect(statePaths(lab).control);
    let buf = '';
    const timer = setTimeout(() => {
      sock.destroy();
      reject(new LabError('VLAB_TIMEOUT', `lab ${lab.prefix}: no answer to ${String(req.op)}`));
    }, timeoutMs);
    sock.on('error', (err) => {
      clearTimeout(timer);
      reject(
        new LabError(
          'VLAB_NOT_UP',
          `lab ${lab.prefix} is not up (${(err as NodeJS.ErrnoException).code})`,
        ),
      );
    });
    sock.on('data', (d) => {
      buf += d.toString();
      const nl = buf.indexOf('\n');
      if (nl < 0) return;
      clearTimeout(timer);
      sock.end();
      const msg = JSON.parse(buf.slice(0, nl)) as { result?: T; error?: string };
      if (msg.error) reject(new LabError('VLAB_COMMAND_FAILED', msg.error));
      else resolvePromise(msg.result as T);
    });
    sock.write(`${JSON.stringify(req)}\n`);
  });
}

/** Hosts, power and link states of a running lab; `up: false` when it is not running. */
export async function vlabStatus(labOrFile?: string | Lab): Promise<VlabStatus> {
  const any = typeof labOrFile === 'object' ? labOrFile : loadLab(labOrFile ?? DEFAULT_LAB_FILE);
  if (any.kind === 'real') return staticStatus(any);
  const lab = asLab(any);
  if (!supervisorPid(lab.stateDir))
    return { up: false, name: lab.name, prefix: lab.prefix, hosts: [], ports: [], outlets: [] };
  return { up: true, ...(await controlRequest<Omit<VlabStatus, 'up'>>(lab, { op: 'status' })) };
}

/** A real lab's layout from its file; live power and link states come from the drivers. */
function staticStatus(lab: Lab): VlabStatus {
  return {
    up: false,
    kind: 'real',
    name: lab.name,
    prefix: lab.prefix,
    hosts: [
      ...lab.boards.map((b) => ({
        name: b.name,
        role: 'board',
        mgmt: b.ssh.host,
        power: 'unknown',
        console: b.console.port,
        outlet: b.power.outlet,
      })),
      ...lab.peers.map((p) => ({ name: p.name, role: 'peer', mgmt: p.ssh.host, power: 'unknown' })),
    ],
    ports: lab.switches.flatMap((sw) =>
      Object.entries(sw.ports).map(([cable, ifName], i) => ({
        switch: sw.name,
        ifIndex: i + 1,
        ifName: sw.model === 'manual' ? 'manual' : ifName,
        cable,
        ends: [],
        admin: 'unknown',
        oper: 'unknown',
      })),
    ),
    outlets: [],
  };
}

/** Power a board directly (what the PDU outlet does), resolving once the action is applied (boot not awaited). */
export function vlabPower(lab: Lab, board: string, action: 'on' | 'off' | 'cycle'): Promise<void> {
  return controlRequest(lab, { op: 'power', board, action });
}

/** Plug (up) or pull (down) a cable at the switch. */
export function vlabPort(lab: Lab, cable: string, up: boolean): Promise<void> {
  return controlRequest(lab, { op: 'port', cable, admin: up ? 'up' : 'down' });
}
