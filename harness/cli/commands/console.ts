/** `hitless console BOARD`: interactive serial console; Ctrl-] leaves. */
import type { Command } from 'commander';

const LAB_HELP = 'lab file (default: testplans/labs/virtual.yaml)';

export function register(program: Command): void {
  program
    .command('console')
    .description("join the terminal to a board's serial console (escape: Ctrl-])")
    .argument('<board>', 'board name, e.g. rp0')
    .option('--lab <file>', LAB_HELP)
    .option('--log <file>', 'also write a timestamped log of the console')
    .option('--login', "log in first with the lab's console credentials")
    .action(async (board: string, opts: { lab?: string; log?: string; login?: boolean }) => {
      const { consoleVerb } = await import('../../lab-drivers/console-verb.ts');
      await consoleVerb(board, opts);
    });
}
