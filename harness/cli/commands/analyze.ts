import type { Command } from 'commander';

interface AnalyzeFlags {
  address?: string;
  faults?: string;
  maxStall?: string;
  until?: string;
  drops?: string;
  holeGrace?: string;
  json?: boolean;
}

function nonNegative(
  text: string | undefined,
  what: string,
  fail: (m: string) => never,
): number | undefined {
  if (text === undefined) return undefined;
  const n = Number(text);
  if (!Number.isFinite(n) || n < 0) fail(`${what}: "${text}" is not a non-negative number`);
  return n;
}

export function register(program: Command): void {
  program
    .command('analyze')
    .description(
      'prove from captures that no peer saw a connection drop (exit 0 pass, 1 drop, 2 unusable or inconclusive)',
    )
    .argument('<pcap...>', 'capture files (pcap, microsecond or nanosecond, or pcapng)')
    .option('--address <vip>', 'chassis address: only connections with it are judged')
    .option(
      '--faults <timeline.json>',
      'fault windows: JSON array of {kind, start, end} (epoch ms or ISO 8601)',
    )
    .option('--max-stall <ms>', 'fail a connection or window whose longest stall exceeds this')
    .option('--until <time>', 'end of the test window (epoch ms or ISO): a FIN before it is a drop')
    .option(
      '--drops <n>',
      'packets the capture dropped (tcpdump "dropped by kernel"); default: <pcap>.stats',
    )
    .option('--hole-grace <ms>', 'how long a gap may stay unfilled before the capture ends', '1000')
    .option('--json', 'print the full report as JSON')
    .action(async (files: string[], flags: AnalyzeFlags) => {
      const { DeviceFailure } = await import('../exit.ts');
      const { VerdictError } = await import('../../verdicts/errors.ts');
      const { loadTimeline, parseTime } = await import('../../verdicts/faults.ts');
      const { analyzeCaptures } = await import('../../verdicts/analyze.ts');
      const { formatReport } = await import('../../verdicts/format.ts');
      const { isIpv4, parseIpv4 } = await import('../../../stack/wire/index.ts');
      const fail = (m: string): never => {
        throw new VerdictError('BAD_OPTION', m);
      };
      if (flags.address !== undefined && !isIpv4(flags.address))
        fail(`--address: "${flags.address}" is not an IPv4 address`);
      const maxStallMs = nonNegative(flags.maxStall, '--max-stall', fail);
      const drops = nonNegative(flags.drops, '--drops', fail);
      const holeGraceMs = nonNegative(flags.holeGrace, '--hole-grace', fail);
      const report = await analyzeCaptures(files, {
        windows: flags.faults ? await loadTimeline(flags.faults) : [],
        ...(flags.address !== undefined ? { address: parseIpv4(flags.address) } : {}),
        ...(maxStallMs !== undefined ? { maxStallMs } : {}),
        ...(drops !== undefined ? { drops } : {}),
        ...(holeGraceMs !== undefined ? { holeGraceMs } : {}),
        ...(flags.until !== undefined ? { testEndMs: parseTime(flags.until, '--until') } : {}),
      });
      process.stdout.write(
        flags.json ? `${JSON.stringify(report, null, 2)}\n` : formatReport(report),
      );
      if (report.verdict === 'fail')
        throw new DeviceFailure('drop found in the capture (see the report above)');
      if (report.verdict === 'inconclusive') {
        const first = report.captures.find((c) => c.verdict === 'inconclusive');
        throw new VerdictError(
          'INCONCLUSIVE',
          `capture cannot prove the absence of a drop: ${first?.reasons[0] ?? 'see the report'}`,
        );
      }
    });
}
