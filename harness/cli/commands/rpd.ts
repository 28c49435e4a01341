/** `hitless rpd`: the board daemon, and its status and announce requests. */
import { type Command, InvalidArgumentError } from 'commander';

const CONFIG_HELP = 'daemon config file (YAML)';

interface ConfigOpts {
  config?: string;
}

/** `--config` may be given before or after the subcommand; commander stores it on the parent then. */
function configOf(rpd: Command, opts: ConfigOpts): string {
  const file = opts.config ?? (rpd.opts() as ConfigOpts).config;
  if (!file) throw new Error('missing --config FILE');
  return file;
}

export function register(program: Command): void {
  const rpd = program
    .command('rpd')
    .description('run the board daemon (the stack on a TAP device), or ask a running one')
    .option('--config <file>', CONFIG_HELP)
    .action(async (opts: ConfigOpts) => {
      const { runDaemon } = await import('../../../stack/rpd/run.ts');
      await runDaemon(configOf(rpd, opts));
    });

  rpd
    .command('status')
    .description("print a running daemon's state (addresses, counters, ARP cache, apps)")
    .option('--config <file>', CONFIG_HELP)
    .option('--json', 'machine-readable output')
    .action(async (opts: ConfigOpts & { json?: boolean }) => {
      const { daemonStatus, formatStatus } = await import('../../../stack/rpd/run.ts');
      const status = await daemonStatus(configOf(rpd, opts));
      process.stdout.write(
        opts.json ? `${JSON.stringify(status, null, 2)}\n` : formatStatus(status),
      );
    });

  rpd
    .command('announce')
    .description('make a running daemon send gratuitous ARP now (optionally under a new MAC)')
    .option('--config <file>', CONFIG_HELP)
    .option('--mac <mac>', 'switch to this MAC first')
    .option('--count <n>', 'how many (1 to 100)', (v) => {
      const n = Number(v);
      if (!Number.isInteger(n) || n < 1 || n > 100)
        throw new InvalidArgumentError(`--count: "${v}" is not a whole number from 1 to 100`);
      return n;
    })
    .action(async (opts: ConfigOpts & { mac?: string; count?: number }) => {
      const { daemonRequest } = await import('../../../stack/rpd/run.ts');
      const request: Record<string, unknown> = { cmd: 'announce' };
      if (opts.mac) request.mac = opts.mac;
      if (opts.count) request.count = opts.count;
      const result = await daemonRequest(configOf(rpd, opts), request);
      process.stdout.write(`${JSON.stringify(result)}\n`);
    });

  rpd
    .command('switchover')
    .description(
      'planned switchover: hand the chassis over to the mate (or take it, on the standby)',
    )
    .option('--config <file>', CONFIG_HELP)
    .option(
      '--timeout-ms <ms>',
      'how long to wait for the mate to take over (default 5000)',
      (v) => {
        const n = Number(v);
        if (!Number.isInteger(n) || n < 100 || n > 600_000)
          throw new InvalidArgumentError(
            `--timeout-ms: "${v}" is not a whole number from 100 to 600000`,
          );
        return n;
      },
    )
    .option('--json', 'machine-readable output')
    .action(async (opts: ConfigOpts & { timeoutMs?: number; json?: boolean }) => {
      const { daemonSwitchover } = await import('../../../stack/rpd/run.ts');
      const { DeviceFailure } = await import('../exit.ts');
      try {
        const r = await daemonSwitchover(configOf(rpd, opts), opts.timeoutMs);
        process.stdout.write(
          opts.json
            ? `${JSON.stringify(r)}\n`
            : `switchover done in ${r.tookMs} ms: this board ${r.from} -> ${r.to}, epoch ${r.epoch}\n`,
        );
      } catch (err) {
        // the daemon answered but the chassis did not switch: a failure of the device
        const code = (err as { code?: unknown }).code;
        if (code === 'RPD_SWITCHOVER_FAILED')
          throw new DeviceFailure(`RPD_SWITCHOVER_FAILED: ${(err as Error).message}`);
        throw err;
      }
    });

  rpd
    .command('schema')
    .description('write the JSON Schema of the daemon config (for editors)')
    .action(async () => {
      const { rpdConfigJsonSchema } = await import('../../../stack/rpd/config.ts');
      process.stdout.write(`${JSON.stringify(rpdConfigJsonSchema(), null, 2)}\n`);
    });
}
