/**
 * Entry point of the `hitless` command line. Every file in ./commands exports
 * `register(program)`; a subcommand loads its implementation only when run, so
 * `hitless --help` and the board daemon start quickly.
 */
import { readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Command, CommanderError } from 'commander';
import { exitCodeFor, printError } from './exit.ts';

const here = dirname(fileURLToPath(import.meta.url));

async function main(argv: string[]): Promise<void> {
  const program = new Command('hitless')
    .description('HA TCP stack for dual route-processor chassis, and the harness that qualifies it')
    .version('0.1.0')
    .showHelpAfterError()
    .exitOverride();
  const files = readdirSync(join(here, 'commands'))
    .filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts'))
    .sort();
  for (const file of files) {
    const mod = (await import(join(here, 'commands', file))) as {
      register?: (program: Command) => void;
    };
    mod.register?.(program);
  }
  await program.parseAsync(argv);
}

// `hitless ... | head` closes the pipe early: that is the reader's choice, not an error.
process.stdout.on('error', (err: NodeJS.ErrnoException) => {
  if (err.code === 'EPIPE') process.exit(0);
  throw err;
});

main(process.argv).catch((err: unknown) => {
  if (err instanceof CommanderError) {
    process.exit(err.exitCode === 0 ? 0 : 2);
  }
  printError(err);
  process.exit(exitCodeFor(err));
});
