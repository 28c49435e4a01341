/**
 * Every name the virtual chassis creates derives from the lab prefix, so two
 * labs never collide and `down` can find all of a lab's leftovers by prefix.
 * Root-namespace interface names stay within Linux's 15 characters.
 */
import type { Lab } from '../lab/schema.ts';

export const nsOf = (prefix: string, host: string) => `${prefix}-h-${host}`;
/** Where a powered-off board's link ends wait, so the board namespace can die with all its sockets. */
export const shelfOf = (prefix: string, host: string) => `${prefix}-off-${host}`;
export const switchNs = (prefix: string) => `${prefix}-sw`;
export const mgmtBridge = (prefix: string) => `${prefix}-mgmt`;
export const mgmtVethRoot = (prefix: string, host: string) => `${prefix}-m-${host}`;

/** Interface names inside host namespaces. */
export const HOST_MGMT_IF = 'mgmt';
export const BOARD_LAN_IF = 'lan';
/** Switch-side port of ifIndex n; point-to-point cables have legs a and b and a bridge of their own. */
export const switchPortIf = (ifIndex: number, leg = '') => `sw${ifIndex}${leg}`;
export const SWITCH_LAN_BRIDGE = 'lan';
export const cableBridge = (ifIndex: number) => `cable${ifIndex}`;

export function hostDir(lab: Lab, host: string): string {
  return `${lab.stateDir}/${host}`;
}

export const statePaths = (lab: Lab) => ({
  supervisorPid: `${lab.stateDir}/supervisor.pid`,
  supervisorLog: `${lab.stateDir}/supervisor.log`,
  ready: `${lab.stateDir}/ready.json`,
  control: `${lab.stateDir}/control.sock`,
  agent: `${lab.stateDir}/agent.sock`,
  agentBridge: `${lab.stateDir}/snmp-bridge.sh`,
  snmpdConf: `${lab.stateDir}/snmpd.conf`,
  snmpdLog: `${lab.stateDir}/snmpd.log`,
  sshDir: `${lab.stateDir}/ssh`,
  authorizedKeys: `${lab.stateDir}/ssh/authorized_keys`,
});

/** The management prefix length of the lab, from the harness address. */
export function mgmtPrefixLen(lab: Lab): number {
  return Number(lab.virtual?.harnessAddress.split('/')[1] ?? 24);
}
