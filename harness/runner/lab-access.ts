/**
 * The lab as the runner drives it: an SSH shell per host (drivers/shell), a
 * power driver per board and a link driver per cable, all built from the
 * lab file by harness/lab-drivers. The same code drives the virtual chassis
 * and a real lab; only the lab file differs.
 */
import { readFileSync } from 'node:fs';
import { createLinkDriver, type LinkDriver } from '../../drivers/link/index.ts';
import { createPowerDriver, type PowerDriver } from '../../drivers/power/index.ts';
import { SshShell } from '../../drivers/shell/ssh-shell.ts';
import { resolveSecret } from '../lab/load.ts';
import type { Board, Lab, Peer, SshEndpoint } from '../lab/schema.ts';
import { boardOf, linkOptions, powerOptions } from '../lab-drivers/from-lab.ts';
import { RunnerError } from './errors.ts';
import type { RemoteHost } from './remote.ts';
import { Ssh2Host } from './remote-ssh2.ts';

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

export function openLab(lab: Lab): LabAccess {
  // Read when first needed: a virtual lab writes it when it comes up.
  let knownHostsText: string | undefined;
  const knownHosts = (): string => {
    knownHostsText ??= readFileSync(lab.knownHosts, 'utf8');
    return knownHostsText;
  };
  const shells = new Map<string, Ssh2Host>();
  const target = (name: string, ssh: SshEndpoint) =>
    new Ssh2Host(
      name,
      () =>
        new SshShell({
          name,
          host: ssh.host,
          port: ssh.port,
          user: ssh.user,
          privateKey: resolveSecret(ssh.key, { raw: true }),
          knownHosts: knownHosts(),
          // Short: a board that lost power must not hold up a status poll.
          connectTimeoutMs: 3000,
          keepaliveIntervalMs: 1000,
          keepaliveCountMax: 3,
        }),
    );
  for (const b of lab.boards) shells.set(b.name, target(b.name, b.ssh));
  for (const p of lab.peers) shells.set(p.name, target(p.name, p.ssh));
  const powers = new Map<string, PowerDriver>();
  const links = new Map<string, LinkDriver>();
  const power = (name: string): PowerDriver => {
    let d = powers.get(name);
    if (!d) {
      d = createPowerDriver(powerOptions(lab, name));
      powers.set(name, d);
    }
    return d;
  };
  return {
    lab,
    board: (name) => boardOf(lab, name),
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
      const d = power(name);
      await (action === 'on' ? d.on() : d.off());
      // The board's SSH connection died with its power, or belongs to its previous boot.
      shells.get(name)?.reset();
    },
    powerState: (name) => power(name).status(),
    async link(cable, state) {
      let d = links.get(cable);
      if (!d) {
        const opts = linkOptions(lab, cable);
        // The IPC port has carrier only while both boards are powered: check the admin state.
        d = createLinkDriver(opts.model === 'snmp-ifmib' ? { ...opts, waitOper: false } : opts);
        links.set(cable, d);
      }
      await (state === 'up' ? d.up() : d.down());
    },
    close() {
      for (const d of powers.values()) d.close();
      for (const d of links.values()) d.close();
      for (const h of shells.values()) void h.close().catch(() => undefined);
    },
  };
}
