/**
 * A managed switch port over IF-MIB: ifName → ifIndex by walking ifName
 * (.1.3.6.1.2.1.31.1.1.1.1), ifAdminStatus (.1.3.6.1.2.1.2.2.1.7.N) set and
 * read back, then ifOperStatus (.1.3.6.1.2.1.2.2.1.8.N) polled for carrier.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { SnmpClient, SnmpError } from '../snmp/snmp-client.ts';
import {
  type LinkDriver,
  LinkError,
  type LinkState,
  type LinkStatus,
  type SnmpIfMibOptions,
} from './link.ts';

const IF_NAME = '.1.3.6.1.2.1.31.1.1.1.1';
const IF_ADMIN = '.1.3.6.1.2.1.2.2.1.7';
const IF_OPER = '.1.3.6.1.2.1.2.2.1.8';
const OPER_NAMES = [
  '',
  'up',
  'down',
  'testing',
  'unknown',
  'dormant',
  'notPresent',
  'lowerLayerDown',
];

export class SnmpIfMibLink implements LinkDriver {
  private readonly client: SnmpClient;
  private ifIndex: number | undefined;

  constructor(private readonly opts: SnmpIfMibOptions) {
    this.client = new SnmpClient({
      host: opts.host,
      port: opts.port,
      community: opts.community,
      timeouts: opts.snmpTimeouts,
    });
  }

  up(): Promise<void> {
    return this.switchTo('up');
  }

  down(): Promise<void> {
    return this.switchTo('down');
  }

  async status(): Promise<LinkStatus> {
    const idx = await this.index();
    const admin = await this.snmp(`${IF_ADMIN}.${idx}`, (o) => this.client.getInt(o));
    const oper = await this.snmp(`${IF_OPER}.${idx}`, (o) => this.client.getInt(o));
    return { admin: admin === 1 ? 'up' : 'down', oper: OPER_NAMES[oper] ?? String(oper) };
  }

  close(): void {
    this.client.close();
  }

  private where(oid?: string): string {
    return `switch ${this.opts.device} port ${this.opts.ifName} (cable ${this.opts.cable})${oid ? `, OID ${oid}` : ''}`;
  }

  private async index(): Promise<number> {
    if (this.ifIndex !== undefined) return this.ifIndex;
    const rows = await this.snmp(IF_NAME, (o) => this.client.walk(o));
    const row = rows.find((r) => r.value === this.opts.ifName);
    if (!row)
      throw new LinkError(
        'LINK_UNKNOWN_PORT',
        `${this.where()}: no ifName "${this.opts.ifName}" on the switch (has: ${rows.map((r) => r.value).join(', ')})`,
      );
    this.ifIndex = Number(row.oid.split('.').pop());
    return this.ifIndex;
  }

  private async switchTo(want: LinkState): Promise<void> {
    const idx = await this.index();
    const adminOid = `${IF_ADMIN}.${idx}`;
    const operOid = `${IF_OPER}.${idx}`;
    const value = want === 'up' ? 1 : 2;
    await this.snmp(adminOid, (o) => this.client.setInt(o, value));
    const deadline = Date.now() + (this.opts.settleTimeoutMs ?? 10_000);
    let admin = 0;
    let oper = 0;
    for (;;) {
      admin = await this.snmp(adminOid, (o) => this.client.getInt(o));
      oper = await this.snmp(operOid, (o) => this.client.getInt(o));
      if (admin === value && (this.opts.waitOper === false || oper === value)) return;
      if (Date.now() >= deadline) break;
      await sleep(this.opts.pollMs ?? 100);
    }
    throw new LinkError(
      'LINK_STATE_MISMATCH',
      `${this.where(admin === value ? operOid : adminOid)}: set ifAdminStatus ${want}, but admin reads ${admin === 1 ? 'up' : admin === 2 ? 'down' : admin} and oper ${OPER_NAMES[oper] ?? oper}` +
        (want === 'up' && admin === value ? ' (is the far end powered?)' : ''),
    );
  }

  private async snmp<T>(oid: string, op: (oid: string) => Promise<T>): Promise<T> {
    try {
      return await op(oid);
    } catch (err) {
      if (err instanceof SnmpError)
        throw new LinkError('LINK_SNMP', `${this.where(oid)}: ${err.code} ${err.message}`, err);
      throw err;
    }
  }
}
