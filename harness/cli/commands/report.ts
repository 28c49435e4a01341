/**
 * `hitless report RUN_DIR`: regenerate the reports of a run from its
 * results.json, optionally with a trend table against earlier runs.
 */
import type { Command } from 'commander';

interface ReportFlags {
  format: string;
  compare?: string[];
  json?: boolean;
}

export function register(program: Command): void {
  program
    .command('report')
    .description(
      'write the reports of a run (HTML, JUnit XML, Markdown, PDF) from its results.json',
    )
    .argument('<RUN_DIR>', 'run directory holding results.json')
    .option('--format <list>', 'comma-separated: html,junit,md,pdf', 'html,junit,md')
    .option(
      '--compare <EARLIER_RUN_DIR...>',
      'earlier runs for a trend table (stall percentiles, failures)',
    )
    .option('--json', 'print what was written as JSON')
    .action(async (runDir: string, flags: ReportFlags) => {
      const { parseFormats, writeReports } = await import('../../../reports/render.ts');
      const { trendMarkdown } = await import('../../../reports/markdown.ts');
      const formats = parseFormats(flags.format);
      const out = await writeReports(runDir, { formats, compare: flags.compare });
      if (flags.json) {
        const summary = {
          verdict: out.results.verdict,
          files: out.files,
          trend: out.trend ?? null,
        };
        process.stdout.write(`${JSON.stringify(summary, null, 2)}\n`);
        return;
      }
      const t = out.results.statistics.totals;
      process.stdout.write(
        `${out.results.run.id}: ${out.results.verdict} (${t.pass} passed, ${t.fail} failed, ${t.expectedDegraded} expected-degraded, ${t.error} errors, ${t.skipped} skipped)\n`,
      );
      for (const [format, file] of Object.entries(out.files)) {
        process.stdout.write(`  ${format.padEnd(5)} ${file}\n`);
      }
      if (out.trend) process.stdout.write(`\n${trendMarkdown(out.trend)}\n`);
    });
}
