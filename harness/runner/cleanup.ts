/**
 * What a run must undo on the way out, whatever the way out is: normal end,
 * an exception, Ctrl-C or SIGTERM. Actions run last-registered first, each
 * once, each failure reported but never stopping the others. A second Ctrl-C
 * while healing says so and keeps healing; a third gives up.
 */
export type CleanupAction = { label: string; run: () => Promise<void> };

export class Cleanup {
  private readonly actions: CleanupAction[] = [];
  private running: Promise<void> | undefined;
  private finished = false;
  private interrupts = 0;
  private readonly onSignal = (signal: NodeJS.Signals) => {
    this.interrupts++;
    if (this.finished) {
      // Everything is undone already; only the verdicts and reports would follow.
      this.log(`${signal}: the chassis is healed and the lease released; stopping without results`);
      process.exit(2);
      return;
    }
    if (this.interrupts === 1) {
      this.log(
        `${signal}: stopping, healing the chassis first (power on, cables up, processes stopped)`,
      );
      this.interrupted?.(signal);
    } else if (this.interrupts === 2) {
      this.log(`${signal} again: still healing; once more to abandon the chassis as it is`);
    } else {
      this.log(`${signal}: abandoning clean-up`);
      process.exit(130);
    }
  };

  constructor(
    private readonly log: (line: string) => void,
    /** Called on the first signal, so the run can stop what it is doing. */
    private readonly interrupted?: (signal: NodeJS.Signals) => void,
  ) {}

  /** Catch SIGINT and SIGTERM until `dispose`. */
  trapSignals(): void {
    process.on('SIGINT', this.onSignal);
    process.on('SIGTERM', this.onSignal);
  }

  add(label: string, run: () => Promise<void>): () => void {
    const action = { label, run };
    this.actions.push(action);
    return () => {
      const i = this.actions.indexOf(action);
      if (i >= 0) this.actions.splice(i, 1);
    };
  }

  /** Run every action once (concurrent calls share one run). */
  runAll(): Promise<void> {
    this.running ??= (async () => {
      while (this.actions.length > 0) {
        const action = this.actions.pop()!;
        try {
          await action.run();
        } catch (err) {
          this.log(`clean-up '${action.label}' failed: ${(err as Error).message}`);
        }
      }
      this.finished = true;
    })();
    return this.running;
  }

  dispose(): void {
    process.off('SIGINT', this.onSignal);
    process.off('SIGTERM', this.onSignal);
  }

  get wasInterrupted(): boolean {
    return this.interrupts > 0;
  }
}
