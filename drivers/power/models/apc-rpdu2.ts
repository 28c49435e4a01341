/**
 * APC rack PDU 2 (PowerNet MIB rPDU2OutletSwitchedControlCommand): 1
 * immediateOn, 2 immediateOff; reading it returns 1 when on, 2 when off.
 */
import { onOffModel } from '../outlet-model.ts';

export const apcRpdu2 = onOffModel('apc-rpdu2', '.1.3.6.1.4.1.318.1.1.26.9.2.4.1.5');
