/**
 * A switched PDU outlet over SNMP. Every set is read back until the outlet
 * reports the wanted state; a state that never comes is set again, and after
 * the last retry the error names device, outlet, OID and what was read.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { SnmpClient, SnmpError } from '../snmp/snmp-client.ts';
import type { OutletModel } from './outlet-model.ts';
import { enqueue } from './pdu-queue.ts';
import { type PowerDriver, PowerError, type PowerState, type PowerTiming } from './power.ts';

export interface SnmpOutletTarget extends PowerTiming {
  device: string;
  host: string;
  port?: number;
  community: string;
  outlet: number;
  snmpTimeouts?: number[];
}

export class SnmpOutletPower implements PowerDriver {
  private readonly client: SnmpClient;
  private readonly queueKey: string;

  constructor(
    private readonly model: OutletModel,
    private readonly target: SnmpOutletTarget,
  ) {
    this.client = new SnmpClient({
      host: target.host,
      port: target.port,
      community: target.community,
      timeouts: target.snmpTimeouts,
    });
    this.queueKey = `${target.host}:${target.port ?? 161}`;
  }

  on(): Promise<void> {
    return enqueue(this.queueKey, () => this.switchTo('on'));
  }

  off(): Promise<void> {
    return enqueue(this.queueKey, () => this.switchTo('off'));
  }

  async cycle(): Promise<void> {
    await this.off();
    await sleep(this.target.cycleOffMs ?? 1000);
    await this.on();
  }

  status(): Promise<PowerState> {
    return enqueue(this.queueKey, async () => {
      const s = await this.readState();
      if (s.state === 'pending') return s.wanted ?? 'off';
      return s.state;
    });
  }

  close(): void {
    this.client.close();
  }

  private where(oid: string): string {
    return `PDU ${this.target.device} (${this.model.name}) outlet ${this.target.outlet}, OID ${oid}`;
  }

  private async readState(): Promise<{ state: PowerState | 'pending'; wanted?: PowerState }> {
    const oid = this.model.stateOid(this.target.outlet);
    const value = await this.snmp(oid, () => this.client.getInt(oid));
    const state = this.model.decode(value);
    if (state === undefined)
      throw new PowerError(
        'POWER_BAD_STATE',
        `${this.where(oid)}: unexpected state value ${value}`,
      );
    return { state };
  }

  private async switchTo(want: PowerState): Promise<void> {
    const { oid, value } = this.model.command(want, this.target.outlet);
    const stateOid = this.model.stateOid(this.target.outlet);
    const attempts = (this.target.retries ?? 2) + 1;
    const settle = this.target.settleTimeoutMs ?? 10_000;
    const poll = this.target.pollMs ?? 200;
    let last: number | undefined;
    for (let attempt = 1; attempt <= attempts; attempt++) {
      await this.snmp(oid, () => this.client.setInt(oid, value));
      const deadline = Date.now() + settle;
      for (;;) {
        last = await this.snmp(stateOid, () => this.client.getInt(stateOid));
        if (this.model.decode(last) === want) return;
        if (Date.now() >= deadline) break;
        await sleep(poll);
      }
    }
    throw new PowerError(
      'POWER_STATE_MISMATCH',
      `${this.where(oid)}: set ${value} to switch ${want}, but ${stateOid} still reads ${last} after ${attempts} attempt(s) of ${settle} ms`,
    );
  }

  private async snmp<T>(oid: string, op: () => Promise<T>): Promise<T> {
    try {
      return await op();
    } catch (err) {
      if (err instanceof SnmpError)
        throw new PowerError('POWER_SNMP', `${this.where(oid)}: ${err.code} ${err.message}`, err);
      throw err;
    }
  }
}
