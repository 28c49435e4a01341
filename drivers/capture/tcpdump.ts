/**
 * tcpdump on a lab host through the shell driver: immediate mode (no packet
 * waits in a kernel block when the capture stops), a size bound, and a clean
 * stop (SIGINT, then wait for tcpdump to exit) so its last buffer is written
 * before the file is fetched over SFTP and checked. The file is written in
 * blocks, not packet by packet (no -U): a write per packet cost enough that
 * the kernel dropped packets in a takeover's burst. tcpdump also
 * stops cleanly when the SSH channel's input ends, so a harness that dies
 * (kill -9, lost connection) leaves no capture running on the host.
 */
import { randomBytes } from 'node:crypto';
import { shQuote, stopOnInputEnd } from '../shell/remote-process.ts';
import type { RemoteProcess, ShellDriver } from '../shell/shell.ts';
import { CaptureError, type CaptureOptions, type PcapSummary } from './capture.ts';
import { checkPcap } from './pcap-check.ts';

export class TcpdumpCapture {
  readonly remotePath: string;
  private proc: RemoteProcess | undefined;
  private stderr = '';
  /** tcpdump's own count, from its exit report. */
  packetsCaptured: number | undefined;

  constructor(
    private readonly shell: ShellDriver,
    private readonly opts: CaptureOptions,
  ) {
    const dir = opts.remoteDir ?? '/tmp';
    this.remotePath = `${dir}/hitless-${opts.iface}-${Date.now()}-${randomBytes(3).toString('hex')}.pcap`;
  }

  /** tcpdump's report on standard error (listening on …, packets captured/dropped). */
  get report(): string {
    return this.stderr;
  }

  command(): string {
    return stopOnInputEnd(this.tcpdumpCommand(), 'INT');
  }

  private tcpdumpCommand(): string {
    const o = this.opts;
    const args = [
      'tcpdump',
      '-Z "$(id -un)"', // keep the login user, so the file stays readable over SFTP
      `-i ${shQuote(o.iface)}`,
      `-s ${o.snaplen ?? 262144}`,
      `-B ${o.bufferKib ?? 131072}`,
      '--immediate-mode',
      `-w ${shQuote(this.remotePath)}`,
    ];
    if (o.maxMegabytes) args.push(`-C ${o.maxMegabytes} -W 1`);
    if (o.filter) args.push(shQuote(o.filter));
    return args.join(' ');
  }

  async start(): Promise<void> {
    const proc = await this.shell.spawn(this.command());
    this.proc = proc;
    let listening: () => void = () => {};
    const ready = new Promise<void>((r) => {
      listening = r;
    });
    proc.onStderr((d) => {
      this.stderr += d.toString();
      if (/listening on/.test(this.stderr)) listening();
    });
    const timeoutMs = this.opts.startTimeoutMs ?? 10_000;
    let timer: NodeJS.Timeout | undefined;
    const outcome = await Promise.race([
      ready.then(() => 'ready' as const),
      proc.wait().then(() => 'exited' as const),
      new Promise<'timeout'>((r) => {
        timer = setTimeout(() => r('timeout'), timeoutMs);
      }),
    ]);
    clearTimeout(timer);
    if (outcome !== 'ready') {
      if (outcome === 'timeout') await proc.kill('KILL').catch(() => undefined);
      throw new CaptureError(
        'CAPTURE_START',
        `capture on ${this.opts.host} ${this.opts.iface}: tcpdump ${outcome === 'exited' ? 'exited' : `did not start within ${timeoutMs} ms`}: ${this.stderr.trim()}`,
      );
    }
  }

  /** SIGINT, then waits for tcpdump to flush and exit. */
  async stop(timeoutMs = 10_000): Promise<void> {
    const proc = this.proc;
    if (!proc) throw new CaptureError('CAPTURE_STOP', `capture on ${this.opts.host}: not started`);
    this.proc = undefined;
    await proc.kill('INT');
    let timer: NodeJS.Timeout | undefined;
    const exited = await Promise.race([
      proc.wait().then(() => true),
      new Promise<false>((r) => {
        timer = setTimeout(() => r(false), timeoutMs);
      }),
    ]);
    clearTimeout(timer);
    if (!exited) {
      await proc.kill('KILL').catch(() => undefined);
      throw new CaptureError(
        'CAPTURE_STOP',
        `capture on ${this.opts.host}: tcpdump did not exit within ${timeoutMs} ms of SIGINT`,
      );
    }
    const m = /(\d+) packets? captured/.exec(this.stderr);
    this.packetsCaptured = m ? Number(m[1]) : undefined;
  }

  /** Fetches the file (SHA-256 verified), checks it, and removes it from the host. */
  async fetch(localPath: string): Promise<PcapSummary> {
    try {
      await this.shell.get(this.remotePath, localPath);
    } catch (err) {
      throw new CaptureError(
        'CAPTURE_FETCH',
        `capture on ${this.opts.host}: fetching ${this.remotePath}: ${(err as Error).message}`,
        err,
      );
    }
    await this.shell
      .exec(`rm -f ${shQuote(this.remotePath)}`, { timeoutMs: 10_000 })
      .catch(() => undefined);
    const summary = await checkPcap(localPath);
    if (
      this.packetsCaptured !== undefined &&
      summary.packets < this.packetsCaptured &&
      !this.opts.maxMegabytes
    )
      throw new CaptureError(
        'CAPTURE_BAD_FILE',
        `${localPath}: ${summary.packets} packets in the file, tcpdump reported ${this.packetsCaptured}`,
      );
    return summary;
  }
}
