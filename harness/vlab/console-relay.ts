/**
 * The harness side of a board's serial console: a pseudo-terminal whose slave
 * path (a symlink) stays put while the board powers off and on. socat waits
 * for a reader (wait-slave); what the board writes while nobody listens is
 * lost, as on a real serial line. When the reader closes, socat exits and a
 * new pty is made at the same path.
 */
import { type ChildProcess, spawn } from 'node:child_process';

export class ConsoleRelay {
  private proc?: ChildProcess;
  private connected = false;
  private stopped = false;

  constructor(
    readonly path: string,
    private readonly onInput: (data: Buffer) => void,
    private readonly log: (msg: string) => void,
  ) {}

  start(): void {
    if (this.stopped) return;
    this.connected = false;
    const started = Date.now();
    const proc = spawn(
      'socat',
      [
        '-d',
        '-d',
        `PTY,link=${this.path},raw,echo=0,wait-slave,pty-interval=0.01,mode=600`,
        'STDIO',
      ],
      {
        stdio: ['pipe', 'pipe', 'pipe'],
      },
    );
    this.proc = proc;
    proc.stdout?.on('data', (d: Buffer) => this.onInput(d));
    proc.stdin?.on('error', () => {});
    let diag = '';
    proc.stderr?.on('data', (d: Buffer) => {
      if (this.connected) return;
      diag += d.toString();
      if (diag.includes('starting data transfer loop')) this.connected = true;
    });
    proc.on('exit', () => {
      this.connected = false;
      // A reader closed the console: a fresh pty at once; a socat that cannot start: back off.
      const delay = Date.now() - started < 200 ? 1000 : 20;
      if (this.proc === proc && !this.stopped) setTimeout(() => this.start(), delay);
    });
    proc.on('error', (err) => this.log(`console ${this.path}: ${err.message}`));
  }

  /** Board output: delivered only while a reader has the console open. */
  write(data: Buffer): void {
    if (this.connected) this.proc?.stdin?.write(data);
  }

  get pid(): number | undefined {
    return this.proc?.pid;
  }

  stop(): void {
    this.stopped = true;
    this.proc?.kill('SIGKILL');
  }
}
