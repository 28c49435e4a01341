/**
 * Manual power: the operator switches the outlet by hand when asked on the
 * terminal and confirms with Enter; the state is whatever was last confirmed.
 */
import { createInterface } from 'node:readline/promises';
import { type ManualPowerOptions, type PowerDriver, PowerError, type PowerState } from './power.ts';

export class ManualPower implements PowerDriver {
  private state: PowerState | undefined;

  constructor(private readonly opts: ManualPowerOptions) {}

  async on(): Promise<void> {
    await this.ask(`switch ON ${this.label()}`);
    this.state = 'on';
  }

  async off(): Promise<void> {
    await this.ask(`switch OFF ${this.label()}`);
    this.state = 'off';
  }

  async cycle(): Promise<void> {
    await this.ask(`switch OFF, wait a moment, then switch ON ${this.label()}`);
    this.state = 'on';
  }

  async status(): Promise<PowerState> {
    if (this.state) return this.state;
    const answer = await this.ask(`is ${this.label()} on? [y/n]`);
    this.state = /^y/i.test(answer) ? 'on' : 'off';
    return this.state;
  }

  close(): void {}

  private label(): string {
    return `outlet ${this.opts.outlet} of ${this.opts.device}`;
  }

  private async ask(what: string): Promise<string> {
    const rl = createInterface({
      input: this.opts.input ?? process.stdin,
      output: this.opts.output ?? process.stdout,
      terminal: false,
    });
    try {
      const answer = await new Promise<string>((resolve, reject) => {
        rl.once('close', () =>
          reject(new PowerError('POWER_OPERATOR', `no answer from the operator: ${what}`)),
        );
        rl.question(`[power] Please ${what}, then press Enter: `).then(resolve, reject);
      });
      return answer.trim();
    } finally {
      rl.close();
    }
  }
}
