/** Builds the power driver for a PDU model from plain options. */
import { ManualPower } from './manual.ts';
import { apcMasterswitch } from './models/apc-masterswitch.ts';
import { apcRpdu } from './models/apc-rpdu.ts';
import { apcRpdu2 } from './models/apc-rpdu2.ts';
import { cyberpower } from './models/cyberpower.ts';
import { eaton } from './models/eaton.ts';
import { generic } from './models/generic.ts';
import { raritanPx2 } from './models/raritan-px2.ts';
import type { OutletModel } from './outlet-model.ts';
import { type PowerDriver, PowerError, type PowerOptions, type SnmpPowerOptions } from './power.ts';
import { SnmpOutletPower } from './snmp-outlet.ts';

export * from './power.ts';

export const POWER_MODELS = [
  'apc-masterswitch',
  'apc-rpdu',
  'apc-rpdu2',
  'raritan-px2',
  'cyberpower',
  'eaton',
  'generic',
  'manual',
] as const;

function snmpModel(opts: SnmpPowerOptions): OutletModel {
  switch (opts.model) {
    case 'apc-masterswitch':
      return apcMasterswitch;
    case 'apc-rpdu':
      return apcRpdu;
    case 'apc-rpdu2':
      return apcRpdu2;
    case 'raritan-px2':
      return raritanPx2;
    case 'cyberpower':
      return cyberpower;
    case 'eaton':
      return eaton(opts.delaySeconds ?? 0);
  }
}

export function createPowerDriver(opts: PowerOptions): PowerDriver {
  if (opts.model === 'manual') return new ManualPower(opts);
  if (!Number.isInteger(opts.outlet) || opts.outlet < 1)
    throw new PowerError(
      'POWER_BAD_OPTIONS',
      `PDU ${opts.device}: outlet must be a positive integer, got ${opts.outlet}`,
    );
  if (opts.model === 'generic') return new SnmpOutletPower(generic(opts), opts);
  const model = snmpModel(opts);
  if (!model)
    throw new PowerError(
      'POWER_BAD_OPTIONS',
      `PDU ${opts.device}: unknown model ${(opts as { model: string }).model}`,
    );
  return new SnmpOutletPower(model, opts);
}
