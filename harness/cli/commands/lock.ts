/** `hitless lock | unlock | who`: one run at a time per lab. */
import type { Command } from 'commander';

const LAB_HELP = 'lab file (default: testplans/labs/virtual.yaml)';

export function register(program: Command): void {
  program
    .command('lock')
    .description('take the lab for yourself (refused, naming the holder, when someone has it)')
    .option('--lab <file>', LAB_HELP)
    .option('--ttl <duration>', 'how long the lease lasts without renewal', '1h')
    .option('--owner <name>', 'lease owner (default $HITLESS_OWNER or user@host)')
    .option('--hold', 'stay running and renew the lease until Ctrl-C')
    .action(async (opts: { lab?: string; ttl: string; owner?: string; hold?: boolean }) => {
      const { lockVerb } = await import('../../lab-drivers/lock-verb.ts');
      await lockVerb(opts);
    });
  program
    .command('unlock')
    .description('release your lease on the lab')
    .option('--lab <file>', LAB_HELP)
    .option('--owner <name>', 'lease owner (default $HITLESS_OWNER or user@host)')
    .option('--force', "remove someone else's lease")
    .action(async (opts: { lab?: string; owner?: string; force?: boolean }) => {
      const { unlockVerb } = await import('../../lab-drivers/lock-verb.ts');
      await unlockVerb(opts);
    });
  program
    .command('who')
    .description('who holds the lab')
    .option('--lab <file>', LAB_HELP)
    .option('--json', 'machine-readable output')
    .action(async (opts: { lab?: string; json?: boolean }) => {
      const { whoVerb } = await import('../../lab-drivers/lock-verb.ts');
      await whoVerb(opts);
    });
}
