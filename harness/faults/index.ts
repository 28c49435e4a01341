/** Every fault the campaigns can schedule, by kind. */
import type { FaultKind } from '../plan/schema.ts';
import { doubleFault } from './double-fault.ts';
import type { Fault } from './fault.ts';
import { freezeActive } from './freeze-active.ts';
import { killActive } from './kill-active.ts';
import { killStandbyDuringBulkSync } from './kill-standby-during-bulk-sync.ts';
import { plannedSwitchover } from './planned-switchover.ts';
import { powerCycleActive } from './power-cycle-active.ts';
import { powerOffActive } from './power-off-active.ts';
import { pullFrontCableActive } from './pull-front-cable-active.ts';
import { pullIpcCable } from './pull-ipc-cable.ts';
import { rebootStandby } from './reboot-standby.ts';

export const FAULTS: Record<FaultKind, Fault> = {
  'power-off-active': powerOffActive,
  'power-cycle-active': powerCycleActive,
  'kill-active': killActive,
  'freeze-active': freezeActive,
  'pull-ipc-cable': pullIpcCable,
  'pull-front-cable-active': pullFrontCableActive,
  'reboot-standby': rebootStandby,
  'kill-standby-during-bulk-sync': killStandbyDuringBulkSync,
  'planned-switchover': plannedSwitchover,
  'double-fault': doubleFault,
};

export type { ChassisControl, Fault, FaultState, FaultTiming } from './fault.ts';
export { restoreAll } from './fault.ts';
