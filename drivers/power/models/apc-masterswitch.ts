/** APC MasterSwitch (PowerNet MIB sPDUOutletCtl): 1 on, 2 off, 3 reboot; reads back 1 on / 2 off. */
import { onOffModel } from '../outlet-model.ts';

export const apcMasterswitch = onOffModel('apc-masterswitch', '.1.3.6.1.4.1.318.1.1.4.4.2.1.3');
