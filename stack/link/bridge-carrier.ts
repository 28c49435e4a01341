/**
 * Whether a bridge reaches the outside: the carrier of its ports other than our own TAP (a
 * board's front bridge holds its TAP and the physical front port, or the veth of the virtual
 * chassis). Read from sysfs, no command run: cheap enough to poll every heartbeat interval.
 */
import { readdirSync, readFileSync } from 'node:fs';

export type CarrierReader = () => boolean | undefined;

/**
 * A reader of the bridge's outside carrier: true when some port other than `ownPort` has
 * carrier, false when none has, undefined when there is no such port (nothing to judge).
 */
export function bridgeCarrier(
  bridge: string,
  ownPort: string,
  sysfs = '/sys/class/net',
): CarrierReader {
  return () => {
    let ports: string[];
    try {
      ports = readdirSync(`${sysfs}/${bridge}/brif`).filter((p) => p !== ownPort);
    } catch {
      return undefined; // not a bridge (any more)
    }
    if (ports.length === 0) return undefined;
    return ports.some((p) => carrier(`${sysfs}/${p}/carrier`));
  };
}

function carrier(file: string): boolean {
  try {
    return readFileSync(file, 'utf8').trim() === '1';
  } catch {
    return false; // an interface that is down refuses the read (EINVAL)
  }
}
