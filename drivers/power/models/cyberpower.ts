/**
 * CyberPower PDU (CPS MIB ePDUOutletControlOutletCommand): 1 immediateOn,
 * 2 immediateOff; reading it returns 1 when on, 2 when off.
 */
import { onOffModel } from '../outlet-model.ts';

export const cyberpower = onOffModel('cyberpower', '.1.3.6.1.4.1.3808.1.1.3.3.3.1.1.4');
