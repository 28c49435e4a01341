/**
 * APC rack PDU (PowerNet MIB): rPDUOutletControlOutletCommand 1 immediateOn,
 * 2 immediateOff; state in rPDUOutletStatusOutletState, 1 on / 2 off.
 */
import { onOffModel } from '../outlet-model.ts';

export const apcRpdu = onOffModel(
  'apc-rpdu',
  '.1.3.6.1.4.1.318.1.1.12.3.3.1.1.4',
  '.1.3.6.1.4.1.318.1.1.12.3.5.1.1.4',
);
