/** Builds the link driver for a switch model from plain options. */
import type { LinkDriver, LinkOptions } from './link.ts';
import { ManualLink } from './manual.ts';
import { SnmpIfMibLink } from './snmp-ifmib.ts';

export * from './link.ts';

export function createLinkDriver(opts: LinkOptions): LinkDriver {
  return opts.model === 'manual' ? new ManualLink(opts) : new SnmpIfMibLink(opts);
}
