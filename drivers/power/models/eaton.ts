/**
 * Eaton ePDU (EATON-EPDU-MIB, unit 0): outletControlOffCmd (.3) and
 * outletControlOnCmd (.4) take the delay in seconds before switching;
 * outletControlStatus (.2) is 0 off, 1 on, 2 pendingOff, 3 pendingOn.
 */
import type { OutletModel } from '../outlet-model.ts';

const BASE = '.1.3.6.1.4.1.534.6.6.7.6.6.1';

export function eaton(delaySeconds = 0): OutletModel {
  return {
    name: 'eaton',
    command: (state, outlet) => ({
      oid: `${BASE}.${state === 'on' ? 4 : 3}.0.${outlet}`,
      value: delaySeconds,
    }),
    stateOid: (outlet) => `${BASE}.2.0.${outlet}`,
    decode: (v) => (v === 1 ? 'on' : v === 0 ? 'off' : v === 2 || v === 3 ? 'pending' : undefined),
  };
}
