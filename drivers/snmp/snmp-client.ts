/**
 * A promise wrapper over snmp-native (SNMPv2c) that turns every failure into an
 * SnmpError with a stable code. snmp-native resolves noSuchObject,
 * noSuchInstance and endOfMibView varbinds instead of rejecting, so every
 * varbind's type is checked here before a value is trusted.
 */
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

interface NativeVarbind {
  oid: number[];
  type: number;
  value: unknown;
}
type NativeCallback<T> = (err: Error | null, result: T) => void;
interface NativeSession {
  get(opts: { oid: string }, cb: NativeCallback<NativeVarbind[]>): void;
  set(
    opts: { oid: string; value: number; type: number },
    cb: NativeCallback<NativeVarbind[]>,
  ): void;
  getSubtree(
    opts: { oid: string; combinedTimeout?: number },
    cb: NativeCallback<NativeVarbind[]>,
  ): void;
  close(): void;
}
const native = require('snmp-native') as {
  Session: new (opts: {
    host: string;
    port: number;
    community: string;
    timeouts: number[];
  }) => NativeSession;
};

/** ASN.1 type tags used by SNMPv2c varbinds. */
export const SnmpType = {
  Integer: 0x02,
  OctetString: 0x04,
  Null: 0x05,
  Gauge: 0x42,
  NoSuchObject: 0x80,
  NoSuchInstance: 0x81,
  EndOfMibView: 0x82,
} as const;

export type SnmpErrorCode =
  | 'SNMP_TIMEOUT'
  | 'SNMP_NO_WRITE_ACCESS'
  | 'SNMP_ERROR_STATUS'
  | 'SNMP_NO_SUCH_OBJECT'
  | 'SNMP_NO_SUCH_INSTANCE'
  | 'SNMP_END_OF_MIB'
  | 'SNMP_WRONG_TYPE'
  | 'SNMP_PROTOCOL';

export class SnmpError extends Error {
  constructor(
    readonly code: SnmpErrorCode,
    message: string,
    readonly oid: string,
  ) {
    super(message);
    this.name = 'SnmpError';
  }
}

export interface SnmpTarget {
  host: string;
  port?: number;
  community: string;
  /** Retransmission timeouts in ms; the length is the number of attempts. */
  timeouts?: number[];
}

/** Error statuses that mean the community may read but not write (RFC 3416). */
const NO_WRITE = new Set([
  'NoAccess',
  'NotWritable',
  'ReadOnly',
  'AuthorizationError',
  'NoCreation',
]);

export class SnmpClient {
  private readonly session: NativeSession;
  private readonly where: string;

  constructor(readonly target: SnmpTarget) {
    this.where = `${target.host}:${target.port ?? 161}`;
    this.session = new native.Session({
      host: target.host,
      port: target.port ?? 161,
      community: target.community,
      timeouts: target.timeouts ?? [1000, 1000, 2000],
    });
  }

  /** Reads an INTEGER-like value; any exception varbind becomes an SnmpError. */
  async getInt(oid: string): Promise<number> {
    const vb = await this.call<NativeVarbind[]>('get', oid, (cb) => this.session.get({ oid }, cb));
    return this.intOf(oid, first(vb, oid, this.where));
  }

  async getString(oid: string): Promise<string> {
    const vb = await this.call<NativeVarbind[]>('get', oid, (cb) => this.session.get({ oid }, cb));
    const v = checkVarbind(first(vb, oid, this.where), oid, this.where);
    return String(v.value);
  }

  /** Sets an INTEGER and returns the value the agent echoed back. */
  async setInt(oid: string, value: number): Promise<number> {
    const vb = await this.call<NativeVarbind[]>('set', oid, (cb) =>
      this.session.set({ oid, value, type: SnmpType.Integer }, cb),
    );
    return this.intOf(oid, first(vb, oid, this.where));
  }

  /** Walks a subtree; returns [index suffix, value] pairs. */
  async walk(oid: string, timeoutMs = 10_000): Promise<Array<{ oid: string; value: unknown }>> {
    const vbs = await this.call<NativeVarbind[]>('walk', oid, (cb) =>
      this.session.getSubtree({ oid, combinedTimeout: timeoutMs }, cb),
    );
    return vbs.map((vb) => ({ oid: `.${vb.oid.join('.')}`, value: vb.value }));
  }

  close(): void {
    try {
      this.session.close();
    } catch {
      // already closed
    }
  }

  private intOf(oid: string, vb: NativeVarbind): number {
    checkVarbind(vb, oid, this.where);
    if (typeof vb.value !== 'number') {
      throw new SnmpError(
        'SNMP_WRONG_TYPE',
        `${this.where} ${oid}: expected an integer, got ASN.1 type 0x${vb.type.toString(16)}`,
        oid,
      );
    }
    return vb.value;
  }

  private call<T>(op: string, oid: string, run: (cb: NativeCallback<T>) => void): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      try {
        run((err, result) => (err ? reject(mapError(err, op, oid, this.where)) : resolve(result)));
      } catch (err) {
        reject(mapError(err as Error, op, oid, this.where));
      }
    });
  }
}

function first(vbs: NativeVarbind[] | undefined, oid: string, where: string): NativeVarbind {
  const vb = vbs?.[0];
  if (!vb) throw new SnmpError('SNMP_PROTOCOL', `${where} ${oid}: response without varbind`, oid);
  return vb;
}

function checkVarbind(vb: NativeVarbind, oid: string, where: string): NativeVarbind {
  if (vb.type === SnmpType.NoSuchObject)
    throw new SnmpError(
      'SNMP_NO_SUCH_OBJECT',
      `${where} ${oid}: noSuchObject (the agent does not implement this OID)`,
      oid,
    );
  if (vb.type === SnmpType.NoSuchInstance)
    throw new SnmpError(
      'SNMP_NO_SUCH_INSTANCE',
      `${where} ${oid}: noSuchInstance (no such outlet/port index)`,
      oid,
    );
  if (vb.type === SnmpType.EndOfMibView)
    throw new SnmpError('SNMP_END_OF_MIB', `${where} ${oid}: endOfMibView`, oid);
  return vb;
}

function mapError(err: Error, op: string, oid: string, where: string): SnmpError {
  const m = err.message;
  if (m === 'Timeout')
    return new SnmpError(
      'SNMP_TIMEOUT',
      `${where} ${oid}: ${op} timed out (agent unreachable, or wrong community)`,
      oid,
    );
  if (NO_WRITE.has(m))
    return new SnmpError(
      'SNMP_NO_WRITE_ACCESS',
      `${where} ${oid}: ${op} refused with error status ${m} (community has no write access)`,
      oid,
    );
  if (/^[A-Z][A-Za-z]+$|^Unknown Error/.test(m))
    return new SnmpError(
      'SNMP_ERROR_STATUS',
      `${where} ${oid}: ${op} failed with error status ${m}`,
      oid,
    );
  return new SnmpError('SNMP_PROTOCOL', `${where} ${oid}: ${op} failed: ${m}`, oid);
}
