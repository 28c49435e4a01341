import type { Command } from 'commander';

export function register(program: Command): void {
  const plan = program.command('plan').description('check testplans and write their JSON Schema');
  plan
    .command('check')
    .description('validate a testplan and print the fault schedule it expands to')
    .argument('<testplan>', 'testplan YAML file')
    .option('--seed <n>', 'override the plan seed', (v) => Number.parseInt(v, 10))
    .option('--repeat <n>', 'run the schedule this many times', (v) => Number.parseInt(v, 10), 1)
    .option('--json', 'print JSON')
    .action(async (file: string, opts: { seed?: number; repeat: number; json?: boolean }) => {
      const { expandSchedule, loadTestplan } = await import('../../plan/load.ts');
      const loaded = loadTestplan(file);
      const faults = expandSchedule(loaded, opts.seed ?? loaded.faults.seed, opts.repeat);
      if (opts.json) {
        process.stdout.write(`${JSON.stringify({ plan: loaded, faults }, null, 2)}\n`);
        return;
      }
      process.stdout.write(
        `${loaded.name}: ${faults.length} faults, lab ${loaded.labFile ?? '(default)'}\n`,
      );
      for (const f of faults) {
        const hold = f.holdMs === undefined ? '' : `, hold ${f.holdMs} ms`;
        process.stdout.write(
          `  ${String(f.iteration).padStart(3)}  ${f.kind}  (after ${f.spacingMs} ms${hold})\n`,
        );
      }
    });
  plan
    .command('schema')
    .description('write the testplan JSON Schema for editors')
    .option('-o, --out <file>', 'output file', 'testplans/testplan.schema.json')
    .action(async (opts: { out: string }) => {
      const { writeFileSync } = await import('node:fs');
      const { testplanJsonSchema } = await import('../../plan/schema.ts');
      writeFileSync(opts.out, `${JSON.stringify(testplanJsonSchema(), null, 2)}\n`);
    });
}
