/** What `hitless lab up|status` print for people, or as JSON. */
import type { VlabStatus, VlabUp } from './index.ts';

export function printUp(up: VlabUp, json: boolean): void {
  if (json) {
    const { lab: _lab, ...rest } = up;
    process.stdout.write(`${JSON.stringify(rest, null, 2)}\n`);
    return;
  }
  process.stdout.write(
    `lab ${up.prefix} up in ${(up.bringUpMs / 1000).toFixed(2)} s (state ${up.stateDir})\n`,
  );
  process.stdout.write(
    `known_hosts ${up.knownHosts}\nSNMP agent ${up.agent.addresses.join(', ')}:${up.agent.port}\n`,
  );
  for (const h of up.hosts) {
    process.stdout.write(
      `  ${h.name.padEnd(7)} ${h.role.padEnd(6)} ssh ${h.user}@${h.address} -i ${h.keyPath}${h.console ? `  console ${h.console}` : ''}\n`,
    );
  }
}

export function printStatus(s: VlabStatus, json: boolean): void {
  if (json) {
    process.stdout.write(`${JSON.stringify(s, null, 2)}\n`);
    return;
  }
  if (!s.up && s.kind !== 'real') {
    process.stdout.write(`lab ${s.prefix} is down\n`);
    return;
  }
  const what =
    s.kind === 'real'
      ? 'real lab (power and link states: `hitless power status`, `hitless link status`)'
      : 'up';
  process.stdout.write(`lab ${s.name} (prefix ${s.prefix}) ${what}\n\nhosts:\n`);
  for (const h of s.hosts) {
    const outlet = h.outlet ? `outlet ${h.outlet}` : '';
    process.stdout.write(
      `  ${h.name.padEnd(7)} ${h.role.padEnd(6)} ${h.mgmt.padEnd(15)} ${(h.lan ?? '').padEnd(16)} power ${h.power.padEnd(8)} ${outlet.padEnd(9)} ${h.console ?? ''}\n`,
    );
  }
  process.stdout.write('\nswitch ports:\n');
  for (const p of s.ports) {
    process.stdout.write(
      `  ${p.switch} ${String(p.ifIndex).padStart(2)} ${p.ifName.padEnd(10)} ${p.cable.padEnd(10)} admin ${p.admin.padEnd(4)} oper ${p.oper.padEnd(4)} ${p.ends.join(' <-> ')}\n`,
    );
  }
}
