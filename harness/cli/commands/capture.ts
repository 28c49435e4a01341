/** `hitless capture HOST --iface IF [--filter F] --duration D -o FILE.pcap`. */
import type { Command } from 'commander';

const LAB_HELP = 'lab file (default: testplans/labs/virtual.yaml)';

export function register(program: Command): void {
  program
    .command('capture')
    .description('capture packets on a lab host with tcpdump and fetch the pcap')
    .argument('<host>', 'board or peer name')
    .requiredOption('--iface <if>', 'interface on the host')
    .option('--filter <bpf>', 'BPF filter expression')
    .requiredOption('--duration <d>', 'how long, e.g. 10s, 500ms, 2m')
    .requiredOption('-o, --output <file>', 'local pcap file')
    .option('--snaplen <bytes>', 'bytes kept per packet', Number)
    .option('--max-mb <mb>', 'size bound of the capture file', Number)
    .option('--lab <file>', LAB_HELP)
    .option('--json', 'machine-readable summary')
    .action(
      async (
        host: string,
        opts: import('../../lab-drivers/capture-verb.ts').CaptureVerbOptions,
      ) => {
        const { captureVerb } = await import('../../lab-drivers/capture-verb.ts');
        await captureVerb(host, opts);
      },
    );
}
