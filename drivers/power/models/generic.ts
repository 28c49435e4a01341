/** A PDU described entirely by the lab file: OIDs and values from options. */
import type { OutletModel } from '../outlet-model.ts';
import type { GenericPowerOptions } from '../power.ts';

function withOutlet(oid: string, outlet: number): string {
  return oid.includes('{outlet}') ? oid.replaceAll('{outlet}', String(outlet)) : `${oid}.${outlet}`;
}

export function generic(opts: GenericPowerOptions): OutletModel {
  const states = opts.stateValues ?? opts.values;
  return {
    name: 'generic',
    command: (state, outlet) => ({
      oid: withOutlet(opts.controlOid, outlet),
      value: opts.values[state],
    }),
    stateOid: (outlet) => withOutlet(opts.stateOid ?? opts.controlOid, outlet),
    decode: (v) => (v === states.on ? 'on' : v === states.off ? 'off' : undefined),
  };
}
