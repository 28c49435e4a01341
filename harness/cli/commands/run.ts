/**
 * `hitless run TESTPLAN`: run a campaign on a lab (the virtual chassis by
 * default) and write results.json and the reports. Exit 0 pass, 1 the device
 * under test failed, 2 infrastructure error.
 */
import type { Command } from 'commander';

const int = (name: string) => (v: string) => {
  const n = Number.parseInt(v, 10);
  if (!Number.isInteger(n) || String(n) !== v.trim())
    throw new Error(`${name}: expected an integer, got '${v}'`);
  return n;
};

interface RunFlags {
  lab?: string;
  out?: string;
  seed?: number;
  repeat?: number;
  json?: boolean;
  keepLab?: boolean;
}

export function register(program: Command): void {
  program
    .command('run')
    .description('run a campaign: break the chassis again and again, prove no peer noticed')
    .argument('<testplan>', 'testplan YAML file (testplans/*.yaml)')
    .option('--lab <file>', "lab file (default: the testplan's, else the virtual lab)")
    .option('--out <dir>', 'run directory (default reports/runs/<time>-<plan>)')
    .option('--seed <n>', "fault schedule seed (default the testplan's)", int('--seed'))
    .option('--repeat <n>', 'run the schedule this many times', int('--repeat'))
    .option('--keep-lab', 'leave a virtual lab this run brought up running')
    .option('--json', 'print the outcome as JSON on stdout')
    .action(async (testplan: string, flags: RunFlags) => {
      const { runCampaign } = await import('../../runner/campaign.ts');
      const outcome = await runCampaign({
        testplan,
        ...(flags.lab ? { lab: flags.lab } : {}),
        ...(flags.out ? { out: flags.out } : {}),
        ...(flags.seed !== undefined ? { seed: flags.seed } : {}),
        ...(flags.repeat !== undefined ? { repeat: flags.repeat } : {}),
        ...(flags.keepLab ? { keepLab: true } : {}),
      });
      if (flags.json) {
        const t = outcome.results.statistics.totals;
        process.stdout.write(
          `${JSON.stringify({ verdict: outcome.results.verdict, exitCode: outcome.exitCode, dir: outcome.dir, reports: outcome.reports, totals: t, error: outcome.results.run.error ?? null }, null, 2)}\n`,
        );
      }
      process.exitCode = outcome.exitCode;
      // Whatever handle a driver left open must not keep a finished run alive.
      setTimeout(() => process.exit(outcome.exitCode), 3000).unref();
    });
}
