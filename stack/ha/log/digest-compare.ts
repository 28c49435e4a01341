/** Which connection variables differ between the active's record and the standby's replay. */
import type { TcpVars } from '../ipc/records.ts';

export function differingVars(expected: TcpVars, actual: TcpVars): (keyof TcpVars)[] {
  return (Object.keys(expected) as (keyof TcpVars)[]).filter((k) => expected[k] !== actual[k]);
}
