/**
 * Test double for a board behind a serial console, on serialport's mock
 * binding: a boot delay, a login prompt, a password check, and a shell that
 * echoes what is typed and runs each line with /bin/sh.
 */
import { execFileSync } from 'node:child_process';
import { SerialPortMock } from 'serialport';
import type { SerialPortLike } from './console.ts';

// The binding instance serialport's mock uses (its CommonJS copy, not the ESM one).
const MockBinding = SerialPortMock.binding;

type State = 'booting' | 'login' | 'password' | 'shell';

export class FakeBoard {
  state: State;
  port: SerialPortMock | undefined;
  private line = '';
  private user = '';
  readonly typed: string[] = [];

  constructor(
    readonly path: string,
    private readonly opts: { password: string; bootMs?: number; loggedIn?: boolean },
  ) {
    MockBinding.createPort(path, { echo: false, record: false });
    this.state = opts.loggedIn ? 'shell' : opts.bootMs ? 'booting' : 'login';
    if (opts.bootMs) {
      setTimeout(() => {
        this.state = 'login';
        this.send(
          '\r\nU-Boot 2024.01\r\nStarting kernel ...\r\n\r\nDebian GNU/Linux rp0 ttyAMA0\r\n\r\nrp0 login: ',
        );
      }, opts.bootMs);
    }
  }

  /** The factory handed to SerialConsole. */
  factory = (path: string, baudRate: number): SerialPortLike => {
    const sp = new SerialPortMock({ path, baudRate, autoOpen: false });
    this.port = sp;
    sp.on('open', () => {
      const binding = sp.port as unknown as { write(b: Buffer): Promise<void> };
      const orig = binding.write.bind(binding);
      binding.write = async (b: Buffer) => {
        await orig(b);
        this.input(b.toString());
      };
    });
    return sp as unknown as SerialPortLike;
  };

  send(text: string): void {
    if (this.port?.isOpen)
      (this.port.port as unknown as { emitData(d: string): void }).emitData(text);
  }

  /** The adapter vanishes: the pending read fails, and the device node is gone. */
  async unplug(): Promise<void> {
    const binding = this.port?.port as unknown as
      | { pendingRead?: ((e: Error) => void) | null }
      | undefined;
    // the stream starts its first read a tick after open
    for (let i = 0; i < 100 && !binding?.pendingRead; i++)
      await new Promise((r) => setTimeout(r, 5));
    MockBinding.reset();
    binding?.pendingRead?.(new Error('device reports readiness to read but returned no data'));
  }

  plugBackIn(): void {
    MockBinding.createPort(this.path, { echo: false, record: false });
  }

  private input(text: string): void {
    for (const ch of text) {
      if (ch !== '\r') {
        this.line += ch;
        if (this.state === 'shell' || this.state === 'login') this.send(ch);
        continue;
      }
      const line = this.line;
      this.line = '';
      this.typed.push(line);
      this.send('\r\n');
      this.enter(line);
    }
  }

  private enter(line: string): void {
    switch (this.state) {
      case 'booting':
        return;
      case 'login':
        if (line === '') {
          this.send('rp0 login: ');
          return;
        }
        this.user = line;
        this.state = 'password';
        this.send('Password: ');
        return;
      case 'password':
        if (line === this.opts.password && this.user === 'root') {
          this.state = 'shell';
          this.send('\x1b[1;32mroot@rp0\x1b[0m:~# ');
          return;
        }
        this.state = 'login';
        this.send('\r\nLogin incorrect\r\nrp0 login: ');
        return;
      case 'shell': {
        let out = '';
        if (line.trim()) {
          try {
            out = execFileSync('/bin/sh', ['-c', line], { encoding: 'utf8' });
          } catch (err) {
            out = String((err as { stdout?: string }).stdout ?? '');
          }
        }
        // split a colour sequence across two chunks, as a real UART might
        this.send(`${out.replace(/\n/g, '\r\n')}\x1b[1;3`);
        setTimeout(() => this.send('2mroot@rp0\x1b[0m:~# '), 5);
      }
    }
  }
}
