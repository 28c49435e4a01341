/**
 * The lab's equipment as the SNMP agent and the control socket see it: PDU
 * outlets that power the boards, switch ports that carry the cables.
 */
import type { Lab } from '../lab/schema.ts';
import { setPortAdmin } from './build.ts';
import type { ConsoleRelay } from './console-relay.ts';
import { agentAddresses } from './files.ts';
import type { HostRunner } from './host-runner.ts';
import type { Equipment as MibEquipment } from './mib.ts';
import { type SwitchPort, switchPorts } from './topology.ts';

export class Equipment implements MibEquipment {
  readonly outlets: number[];
  readonly ports: SwitchPort[];
  readonly agentAddresses: string[];
  private readonly outletState = new Map<number, boolean>();
  private readonly pending = new Map<number, { to: 'on' | 'off'; timer: NodeJS.Timeout }>();
  private readonly admin = new Map<number, boolean>();
  private readonly boardByOutlet = new Map<number, HostRunner>();
  /** Power actions apply one after another, in the order they were asked. */
  private chain: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly lab: Lab,
    private readonly runners: Map<string, HostRunner>,
    private readonly log: (msg: string) => void,
  ) {
    const pdu = lab.pdus.find((p) => p.model !== 'manual') ?? lab.pdus[0];
    this.outlets = Array.from({ length: pdu?.outlets ?? 0 }, (_, i) => i + 1);
    for (const n of this.outlets) this.outletState.set(n, true);
    for (const b of lab.boards) {
      const r = runners.get(b.name);
      if (r) this.boardByOutlet.set(b.power.outlet, r);
    }
    this.ports = switchPorts(lab);
    for (const p of this.ports) this.admin.set(p.ifIndex, true);
    this.agentAddresses = agentAddresses(lab);
  }

  outletOn(n: number): boolean {
    return this.outletState.get(n) ?? false;
  }

  outletPending(n: number): 'on' | 'off' | undefined {
    return this.pending.get(n)?.to;
  }

  outletName(n: number): string {
    return this.boardByOutlet.get(n)?.host.name ?? `outlet${n}`;
  }

  power(n: number, action: 'on' | 'off' | 'cycle', delaySeconds = 0): void {
    const old = this.pending.get(n);
    if (old) clearTimeout(old.timer);
    this.pending.delete(n);
    if (delaySeconds > 0) {
      const timer = setTimeout(() => {
        this.pending.delete(n);
        this.power(n, action);
      }, delaySeconds * 1000);
      this.pending.set(n, { to: action === 'off' ? 'off' : 'on', timer });
      return;
    }
    void this.apply(n, action);
  }

  /** State changes at once (read-back sees it); the board follows in order. */
  private apply(n: number, action: 'on' | 'off' | 'cycle'): Promise<void> {
    const runner = this.boardByOutlet.get(n);
    const pause = this.lab.virtual?.rebootPauseMs ?? 1000;
    if (action === 'cycle') {
      this.outletState.set(n, false);
      const p = this.enqueue(n, async () => {
        await runner?.powerOff();
        await new Promise((r) => setTimeout(r, pause));
        this.outletState.set(n, true);
        await runner?.powerOn();
      });
      return p;
    }
    this.outletState.set(n, action === 'on');
    return this.enqueue(n, async () => {
      if (action === 'on') await runner?.powerOn();
      else await runner?.powerOff();
    });
  }

  private enqueue(n: number, fn: () => Promise<void>): Promise<void> {
    const next = this.chain
      .then(fn)
      .then(() => this.syncCables())
      .catch((err: Error) => this.log(`outlet ${n}: ${err.message}`));
    this.chain = next;
    return next;
  }

  async powerBoard(board: string, action: 'on' | 'off' | 'cycle'): Promise<void> {
    const b = this.lab.boards.find((x) => x.name === board);
    if (!b) throw new Error(`no board ${board}`);
    await this.apply(b.power.outlet, action);
  }

  portAdminUp(ifIndex: number): boolean {
    return this.admin.get(ifIndex) ?? false;
  }

  portOperUp(ifIndex: number): boolean {
    const port = this.ports.find((p) => p.ifIndex === ifIndex);
    if (!port || !this.portAdminUp(ifIndex) || port.ends.length === 0) return false;
    return port.ends.every((e) => (this.runners.get(e.host)?.state ?? 'off') !== 'off');
  }

  setPortAdmin(ifIndex: number, up: boolean): void {
    void this.setAdmin(ifIndex, up).catch((err: Error) =>
      this.log(`port ${ifIndex}: ${err.message}`),
    );
  }

  private async setAdmin(ifIndex: number, up: boolean): Promise<void> {
    const port = this.ports.find((p) => p.ifIndex === ifIndex);
    if (!port) throw new Error(`no switch port ${ifIndex}`);
    this.admin.set(ifIndex, up);
    if (port.kind === 'p2p') await this.syncCables();
    else
      await setPortAdmin(
        this.lab,
        port.ends.map((e) => e.switchIf),
        up,
      );
  }

  /**
   * A point-to-point cable (the IPC link) behaves as a direct cable: its
   * carrier is up only when it is plugged and both ends have power.
   */
  private async syncCables(): Promise<void> {
    for (const port of this.ports) {
      if (port.kind !== 'p2p') continue;
      await setPortAdmin(
        this.lab,
        port.ends.map((e) => e.switchIf),
        this.portOperUp(port.ifIndex),
      );
    }
  }

  async setCable(cable: string, up: boolean): Promise<void> {
    const port = this.ports.find((p) => p.cable === cable);
    if (!port) throw new Error(`no cable ${cable}`);
    await this.setAdmin(port.ifIndex, up);
  }

  status(consoles: Map<string, ConsoleRelay>) {
    return {
      name: this.lab.name,
      prefix: this.lab.prefix,
      hosts: [...this.runners.values()].map((r) => ({
        name: r.host.name,
        role: r.host.role,
        mgmt: r.host.mgmtIp,
        lan:
          this.lab.peers.find((p) => p.name === r.host.name)?.lan.address ??
          this.lab.boards.find((b) => b.name === r.host.name)?.interfaces.frontAddress,
        power: r.state,
        bootedAt: r.bootedAt,
        console: consoles.has(r.host.name)
          ? this.lab.boards.find((b) => b.name === r.host.name)?.console.port
          : undefined,
        outlet: this.lab.boards.find((b) => b.name === r.host.name)?.power.outlet,
      })),
      ports: this.ports.map((p) => ({
        switch: p.switchName,
        ifIndex: p.ifIndex,
        ifName: p.ifName,
        cable: p.cable,
        ends: p.ends.map((e) => `${e.host}:${e.ifname}`),
        admin: this.portAdminUp(p.ifIndex) ? 'up' : 'down',
        oper: this.portOperUp(p.ifIndex) ? 'up' : 'down',
      })),
      outlets: this.outlets.map((n) => ({
        outlet: n,
        on: this.outletOn(n),
        powers: this.boardByOutlet.get(n)?.host.name,
      })),
    };
  }
}
