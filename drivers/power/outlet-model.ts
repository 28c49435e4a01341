/** How one PDU model maps power actions and states onto its MIB. */
import type { PowerState } from './power.ts';

export interface OutletCommand {
  oid: string;
  value: number;
}

export interface OutletModel {
  name: string;
  /** The set that switches the outlet on or off. */
  command(state: PowerState, outlet: number): OutletCommand;
  /** The OID read back to learn the outlet's state. */
  stateOid(outlet: number): string;
  /** Decodes a state value; 'pending' while the PDU is still switching. */
  decode(value: number): PowerState | 'pending' | undefined;
}

/** A model whose control OID takes 1 (on) / 2 (off) and reads back 1 / 2. */
export function onOffModel(
  name: string,
  controlBase: string,
  stateBase = controlBase,
): OutletModel {
  return {
    name,
    command: (state, outlet) => ({
      oid: `${controlBase}.${outlet}`,
      value: state === 'on' ? 1 : 2,
    }),
    stateOid: (outlet) => `${stateBase}.${outlet}`,
    decode: (v) => (v === 1 ? 'on' : v === 2 ? 'off' : undefined),
  };
}
