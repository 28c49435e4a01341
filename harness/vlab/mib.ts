/**
 * The MIB the virtual lab's SNMP agent serves: outlet control of every PDU
 * model the drivers know (all acting on the same outlets) and the IF-MIB rows
 * of the switch ports. Pure: actions go to the `Equipment` callbacks.
 */
export type SnmpType = 'integer' | 'string' | 'gauge' | 'counter' | 'timeticks';

export interface MibEntry {
  type: SnmpType;
  get(): string | number;
  /** Returns an error name for snmpd (e.g. `wrong-value`) or undefined when applied. */
  set?(type: string, value: string): string | undefined;
}

export interface Equipment {
  outlets: number[];
  outletOn(outlet: number): boolean;
  /** Pending (delayed) transition, for models that report it. */
  outletPending(outlet: number): 'on' | 'off' | undefined;
  outletName(outlet: number): string;
  power(outlet: number, action: 'on' | 'off' | 'cycle', delaySeconds?: number): void;
  ports: { ifIndex: number; ifName: string; cable: string }[];
  portAdminUp(ifIndex: number): boolean;
  portOperUp(ifIndex: number): boolean;
  setPortAdmin(ifIndex: number, up: boolean): void;
}

function intSetter(allowed: Record<string, () => void>): MibEntry['set'] {
  return (type, value) => {
    if (type !== 'integer') return 'wrong-type';
    const act = allowed[value.trim()];
    if (!act) return 'wrong-value';
    act();
    return undefined;
  };
}

export function buildMib(eq: Equipment): Map<string, MibEntry> {
  const mib = new Map<string, MibEntry>();
  const onOff = (n: number) => () => (eq.outletOn(n) ? 1 : 2);
  const cmds = (n: number) => ({
    '1': () => eq.power(n, 'on'),
    '2': () => eq.power(n, 'off'),
    '3': () => eq.power(n, 'cycle'),
  });
  for (const n of eq.outlets) {
    // APC MasterSwitch (PowerNet sPDUOutletCtl / sPDUOutletCtlName)
    mib.set(`.1.3.6.1.4.1.318.1.1.4.4.2.1.3.${n}`, {
      type: 'integer',
      get: onOff(n),
      set: intSetter(cmds(n)),
    });
    mib.set(`.1.3.6.1.4.1.318.1.1.4.4.2.1.4.${n}`, { type: 'string', get: () => eq.outletName(n) });
    // APC rack PDU (rPDUOutletControlOutletCommand / rPDUOutletStatusOutletState)
    mib.set(`.1.3.6.1.4.1.318.1.1.12.3.3.1.1.4.${n}`, {
      type: 'integer',
      get: onOff(n),
      set: intSetter(cmds(n)),
    });
    mib.set(`.1.3.6.1.4.1.318.1.1.12.3.5.1.1.4.${n}`, { type: 'integer', get: onOff(n) });
    // APC rack PDU 2 (rPDU2OutletSwitchedControlCommand)
    mib.set(`.1.3.6.1.4.1.318.1.1.26.9.2.4.1.5.${n}`, {
      type: 'integer',
      get: onOff(n),
      set: intSetter(cmds(n)),
    });
    // CyberPower (ePDUOutletControlOutletCommand)
    mib.set(`.1.3.6.1.4.1.3808.1.1.3.3.3.1.1.4.${n}`, {
      type: 'integer',
      get: onOff(n),
      set: intSetter(cmds(n)),
    });
    // Raritan PX2 (switchingOperation 0 off 1 on 2 cycle; outletSwitchingState 7 on 8 off)
    mib.set(`.1.3.6.1.4.1.13742.6.4.1.2.1.2.1.${n}`, {
      type: 'integer',
      get: () => (eq.outletOn(n) ? 1 : 0),
      set: intSetter({
        '0': () => eq.power(n, 'off'),
        '1': () => eq.power(n, 'on'),
        '2': () => eq.power(n, 'cycle'),
      }),
    });
    mib.set(`.1.3.6.1.4.1.13742.6.4.1.2.1.3.1.${n}`, {
      type: 'integer',
      get: () => (eq.outletOn(n) ? 7 : 8),
    });
    // Eaton ePDU unit 0: status 0 off 1 on 2 pendingOff 3 pendingOn; commands take a delay in seconds (-1 cancels)
    const eatonCmd = (action: 'on' | 'off' | 'cycle'): MibEntry => ({
      type: 'integer',
      get: () => -1,
      set: (type, value) => {
        if (type !== 'integer') return 'wrong-type';
        const delay = Number(value.trim());
        if (!Number.isInteger(delay) || delay < -1 || delay > 99999) return 'wrong-value';
        if (delay >= 0) eq.power(n, action, delay);
        return undefined;
      },
    });
    mib.set(`.1.3.6.1.4.1.534.6.6.7.6.6.1.2.0.${n}`, {
      type: 'integer',
      get: () => {
        const p = eq.outletPending(n);
        return p === 'off' ? 2 : p === 'on' ? 3 : eq.outletOn(n) ? 1 : 0;
      },
    });
    mib.set(`.1.3.6.1.4.1.534.6.6.7.6.6.1.3.0.${n}`, eatonCmd('off'));
    mib.set(`.1.3.6.1.4.1.534.6.6.7.6.6.1.4.0.${n}`, eatonCmd('on'));
    mib.set(`.1.3.6.1.4.1.534.6.6.7.6.6.1.5.0.${n}`, eatonCmd('cycle'));
  }
  for (const p of eq.ports) {
    const i = p.ifIndex;
    mib.set(`.1.3.6.1.2.1.2.2.1.1.${i}`, { type: 'integer', get: () => i });
    mib.set(`.1.3.6.1.2.1.2.2.1.2.${i}`, { type: 'string', get: () => `${p.ifName} (${p.cable})` });
    mib.set(`.1.3.6.1.2.1.2.2.1.3.${i}`, { type: 'integer', get: () => 6 });
    mib.set(`.1.3.6.1.2.1.2.2.1.7.${i}`, {
      type: 'integer',
      get: () => (eq.portAdminUp(i) ? 1 : 2),
      set: intSetter({ '1': () => eq.setPortAdmin(i, true), '2': () => eq.setPortAdmin(i, false) }),
    });
    mib.set(`.1.3.6.1.2.1.2.2.1.8.${i}`, {
      type: 'integer',
      get: () => (eq.portOperUp(i) ? 1 : 2),
    });
    mib.set(`.1.3.6.1.2.1.31.1.1.1.1.${i}`, { type: 'string', get: () => p.ifName });
    mib.set(`.1.3.6.1.2.1.31.1.1.1.18.${i}`, { type: 'string', get: () => p.cable });
  }
  return mib;
}

function compareOid(a: string, b: string): number {
  const x = a.split('.').filter(Boolean).map(Number);
  const y = b.split('.').filter(Boolean).map(Number);
  for (let i = 0; i < Math.min(x.length, y.length); i++)
    if (x[i] !== y[i]) return (x[i] ?? 0) - (y[i] ?? 0);
  return x.length - y.length;
}

export function sortedOids(mib: Map<string, MibEntry>): string[] {
  return [...mib.keys()].sort(compareOid);
}

export function nextOid(sorted: string[], oid: string): string | undefined {
  return sorted.find((o) => compareOid(o, oid) > 0);
}
