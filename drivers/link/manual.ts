/**
 * Manual link: tells the operator which cable to pull or replug and waits for
 * Enter; when an observer is given (a switch, a console) the state is then
 * confirmed by polling it.
 */
import { createInterface } from 'node:readline/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  type LinkDriver,
  LinkError,
  type LinkState,
  type LinkStatus,
  type ManualLinkOptions,
} from './link.ts';

export class ManualLink implements LinkDriver {
  private last: LinkState = 'up';

  constructor(private readonly opts: ManualLinkOptions) {}

  up(): Promise<void> {
    return this.change('up', `plug cable ${this.opts.cable} back in (${this.opts.description})`);
  }

  down(): Promise<void> {
    return this.change('down', `pull cable ${this.opts.cable} (${this.opts.description})`);
  }

  async status(): Promise<LinkStatus> {
    const seen = this.opts.observe ? await this.opts.observe() : this.last;
    return { admin: this.last, oper: seen };
  }

  close(): void {}

  private async change(want: LinkState, what: string): Promise<void> {
    await this.ask(what);
    this.last = want;
    if (!this.opts.observe) return;
    const deadline = Date.now() + (this.opts.settleTimeoutMs ?? 30_000);
    let seen: LinkState = want === 'up' ? 'down' : 'up';
    while (Date.now() < deadline) {
      seen = await this.opts.observe();
      if (seen === want) return;
      await sleep(200);
    }
    throw new LinkError(
      'LINK_STATE_MISMATCH',
      `cable ${this.opts.cable}: asked to ${what}, but the link is still ${seen}`,
    );
  }

  private async ask(what: string): Promise<void> {
    const rl = createInterface({
      input: this.opts.input ?? process.stdin,
      output: this.opts.output ?? process.stdout,
      terminal: false,
    });
    try {
      await new Promise<void>((resolve, reject) => {
        rl.once('close', () =>
          reject(new LinkError('LINK_OPERATOR', `no answer from the operator: ${what}`)),
        );
        rl.question(`[link] Please ${what}, then press Enter: `).then(() => resolve(), reject);
      });
    } finally {
      rl.close();
    }
  }
}
