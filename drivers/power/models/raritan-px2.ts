/**
 * Raritan PX2 (PDU2-MIB, PDU 1): switchingOperation 0 off, 1 on, 2 cycle;
 * outletSwitchingState 7 on, 8 off.
 */
import type { OutletModel } from '../outlet-model.ts';

const CONTROL = '.1.3.6.1.4.1.13742.6.4.1.2.1.2.1';
const STATE = '.1.3.6.1.4.1.13742.6.4.1.2.1.3.1';

export const raritanPx2: OutletModel = {
  name: 'raritan-px2',
  command: (state, outlet) => ({ oid: `${CONTROL}.${outlet}`, value: state === 'on' ? 1 : 0 }),
  stateOid: (outlet) => `${STATE}.${outlet}`,
  decode: (v) => (v === 7 ? 'on' : v === 8 ? 'off' : undefined),
};
