import type { Command } from 'commander';

const int = (v: string) => Number.parseInt(v, 10);

export function register(program: Command): void {
  program
    .command('agent')
    .description('peer agent: verifiable kernel TCP traffic to the chassis (runs on a peer host)')
    .requiredOption('--target <address>', 'chassis address')
    .option('--peer <name>', 'name of this peer in reports', 'peer')
    .option('--stream-port <port>', 'stream app port', int, 5001)
    .option('--echo-port <port>', 'echo app port', int, 7)
    .option('--connections <n>', 'connections to open', int, 4)
    .option('--apps <list>', 'apps to cycle through: stream,echo', 'stream,echo')
    .option('--rate-kbps <n>', 'per connection, each direction', int, 2000)
    .option('--direction <d>', 'both | to-chassis | from-chassis', 'both')
    .option('--stall-ms <n>', 'report any stall longer than this', int, 200)
    .option('--seed <n>', 'seed of the first connection', int, 1)
    .option('--progress-ms <n>', 'progress report interval', int, 250)
    .option('--connect-timeout-ms <n>', 'connect timeout', int, 5000)
    .option('--reconnect-ms <n>', 'after an error, reconnect this long later (0: never)', int, 1000)
    .option('--duration-ms <n>', 'stop after this long (0: until signalled)', int, 0)
    .option('--stop-on-stdin-close', 'stop when standard input closes (the SSH channel went away)')
    .action(async (opts) => {
      const { runAgent } = await import('../../agent/agent.ts');
      const apps = String(opts.apps)
        .split(',')
        .map((a) => a.trim());
      for (const a of apps) {
        if (a !== 'stream' && a !== 'echo') throw new Error(`--apps: unknown app '${a}'`);
      }
      if (!['both', 'to-chassis', 'from-chassis'].includes(opts.direction)) {
        throw new Error(`--direction: expected both, to-chassis or from-chassis`);
      }
      const agent = runAgent({ ...opts, apps });
      const stop = () => void agent.stop();
      process.once('SIGTERM', stop);
      process.once('SIGINT', stop);
      if (opts.stopOnStdinClose) {
        // The SSH channel closing (runner gone) ends standard input.
        process.stdin.on('end', stop);
        process.stdin.on('error', stop);
        process.stdin.resume();
      }
      await agent.done;
      setTimeout(() => process.exit(0), 1200).unref();
    });
}
