/** `hitless power on|off|cycle|status BOARD`: a board's PDU outlet, read back after every change. */
import { Argument, type Command } from 'commander';

const LAB_HELP = 'lab file (default: testplans/labs/virtual.yaml)';

export function register(program: Command): void {
  program
    .command('power')
    .description("switch a board's power through its PDU outlet")
    .addArgument(new Argument('<action>', 'what to do').choices(['on', 'off', 'cycle', 'status']))
    .argument('<board>', 'board name, e.g. rp0')
    .option('--lab <file>', LAB_HELP)
    .option('--json', 'machine-readable output')
    .action(
      async (
        action: 'on' | 'off' | 'cycle' | 'status',
        board: string,
        opts: { lab?: string; json?: boolean },
      ) => {
        const { powerVerb } = await import('../../lab-drivers/power-verb.ts');
        await powerVerb(action, board, opts);
      },
    );
}
