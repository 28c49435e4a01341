/** `hitless lab up|down|status|schema`: the virtual chassis and the lab file's JSON Schema. */
import type { Command } from 'commander';

const LAB_HELP = 'lab file (default: testplans/labs/virtual.yaml)';

export function register(program: Command): void {
  const lab = program
    .command('lab')
    .description('bring the virtual chassis up or down, show a lab');

  lab
    .command('up')
    .description('create the virtual chassis of a lab file and boot its boards')
    .option('--lab <file>', LAB_HELP)
    .option('--json', 'print the resolved lab as JSON')
    .action(async (opts: { lab?: string; json?: boolean }) => {
      const { vlabDown, vlabUp } = await import('../../vlab/index.ts');
      const { printUp } = await import('../../vlab/print.ts');
      // Ctrl-C in the middle of a bring-up removes what was built so far.
      const onInterrupt = () => {
        void vlabDown(opts.lab).finally(() => process.exit(130));
      };
      process.once('SIGINT', onInterrupt);
      const up = await vlabUp(opts.lab);
      process.off('SIGINT', onInterrupt);
      printUp(up, Boolean(opts.json));
    });

  lab
    .command('down')
    .description('remove everything the lab prefix owns (idempotent, also after a crash)')
    .option('--lab <file>', LAB_HELP)
    .option('--prefix <prefix>', 'remove by prefix alone, without a lab file')
    .action(async (opts: { lab?: string; prefix?: string }) => {
      const { vlabDown } = await import('../../vlab/index.ts');
      const removed = await vlabDown(opts.prefix ? { prefix: opts.prefix } : opts.lab);
      process.stdout.write(`lab ${removed.prefix} down: ${removed.summary}\n`);
    });

  lab
    .command('status')
    .description('hosts, addresses, consoles, power and link states')
    .option('--lab <file>', LAB_HELP)
    .option('--json', 'machine-readable output')
    .action(async (opts: { lab?: string; json?: boolean }) => {
      const { vlabStatus } = await import('../../vlab/index.ts');
      const { printStatus } = await import('../../vlab/print.ts');
      printStatus(await vlabStatus(opts.lab), Boolean(opts.json));
    });

  lab
    .command('schema')
    .description('write the JSON Schema of lab files (for editors)')
    .option('-o, --out <file>', 'output file (default: stdout)')
    .action(async (opts: { out?: string }) => {
      const { labJsonSchema } = await import('../../lab/schema.ts');
      const text = `${JSON.stringify(labJsonSchema(), null, 2)}\n`;
      if (opts.out) (await import('node:fs')).writeFileSync(opts.out, text);
      else process.stdout.write(text);
    });
}
