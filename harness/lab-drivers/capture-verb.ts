/** `hitless capture HOST --iface IF [--filter F] --duration D -o FILE.pcap`. */
import { TcpdumpCapture } from '../../drivers/capture/tcpdump.ts';
import { shellFor } from './from-lab.ts';
import { openLab, parseDuration } from './lab-options.ts';

export interface CaptureVerbOptions {
  lab?: string;
  iface: string;
  filter?: string;
  duration: string;
  output: string;
  snaplen?: number;
  maxMb?: number;
  json?: boolean;
}

export async function captureVerb(host: string, opts: CaptureVerbOptions): Promise<void> {
  const lab = openLab(opts.lab);
  const ms = parseDuration(opts.duration);
  const shell = shellFor(lab, host);
  const cap = new TcpdumpCapture(shell, {
    host,
    iface: opts.iface,
    filter: opts.filter,
    snaplen: opts.snaplen,
    maxMegabytes: opts.maxMb,
  });
  try {
    await cap.start();
    // Ctrl-C ends the capture early but still stops tcpdump cleanly and fetches the file.
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, ms);
      process.once('SIGINT', () => {
        clearTimeout(timer);
        resolve();
      });
    });
    await cap.stop();
    const s = await cap.fetch(opts.output);
    if (opts.json) process.stdout.write(`${JSON.stringify({ host, iface: opts.iface, ...s })}\n`);
    else
      process.stdout.write(
        `${s.path}: ${s.packets} packets, ${s.bytes} bytes (${host} ${opts.iface})\n`,
      );
  } finally {
    await shell.close();
  }
}
