/** `hitless ssh HOST [-- CMD]`: run a command on a lab host (pinned host key), or a shell. */
import type { Command } from 'commander';

const LAB_HELP = 'lab file (default: testplans/labs/virtual.yaml)';

export function register(program: Command): void {
  program
    .command('ssh')
    .description('run a command on a lab host, or open a shell; the exit status is passed through')
    .argument('<host>', 'board or peer name')
    .argument('[cmd...]', 'command (after --)')
    .option('--lab <file>', LAB_HELP)
    .option('--timeout <seconds>', 'command timeout', (v) => Number(v) * 1000)
    .action(async (host: string, cmd: string[], opts: { lab?: string; timeout?: number }) => {
      const { sshVerb } = await import('../../lab-drivers/ssh-verb.ts');
      await sshVerb(host, cmd, opts);
    });
}
