/** `hitless link up|down|status CABLE`: pull or replug a cable at its switch port. */
import { Argument, type Command } from 'commander';

const LAB_HELP = 'lab file (default: testplans/labs/virtual.yaml)';

export function register(program: Command): void {
  program
    .command('link')
    .description('pull or replug a cable (managed switch port), or show its state')
    .addArgument(new Argument('<action>', 'what to do').choices(['up', 'down', 'status']))
    .argument('<cable>', 'cable name from the lab file, e.g. ipc')
    .option('--lab <file>', LAB_HELP)
    .option('--json', 'machine-readable output')
    .action(
      async (
        action: 'up' | 'down' | 'status',
        cable: string,
        opts: { lab?: string; json?: boolean },
      ) => {
        const { linkVerb } = await import('../../lab-drivers/link-verb.ts');
        await linkVerb(action, cable, opts);
      },
    );
}
