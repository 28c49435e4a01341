/**
 * The way out of a run, whatever it is: Ctrl-C and SIGTERM (trapped by the
 * clean-up stack) and a crash in some driver's callback all abort what the
 * run is doing; then every clean-up action runs (agents and captures
 * stopped and fetched, the chassis healed, daemons stopped, logs fetched,
 * the lease released) before the results are written.
 */
import { Cleanup } from './cleanup.ts';
import { codeOf, messageOf } from './errors.ts';
import type { Timeline } from './timeline.ts';

export type RunError = { code: string; message: string };

export interface RunGuard {
  cleanup: Cleanup;
  signal: AbortSignal;
  /** What ended the run early, from the error the run stopped with. */
  stoppedBy(err: unknown): RunError;
  /** Run every clean-up action; says whether the run was cut short. */
  tearDown(): Promise<{ interrupted: boolean; crash?: RunError }>;
  /**
   * Stop trapping signals. Until then, a Ctrl-C after the clean-up (while
   * the verdicts are worked out) exits 2 at once: nothing is left to heal.
   */
  release(): void;
}

export function guardRun(print: (line: string) => void, timeline: Timeline): RunGuard {
  const abort = new AbortController();
  const cleanup = new Cleanup(print, () => abort.abort());
  cleanup.trapSignals();
  // A crash in some driver's callback must still end in a healed chassis: stop the run, clean up.
  let crash: Error | undefined;
  const onCrash = (err: unknown) => {
    crash ??= err instanceof Error ? err : new Error(String(err));
    timeline.add('harness', 'run.crash', { message: crash.message });
    abort.abort();
  };
  process.on('uncaughtException', onCrash);
  process.on('unhandledRejection', onCrash);
  const crashError = (c: Error): RunError => ({
    code: 'RUN_CRASH',
    message: `the harness crashed: ${c.message}`,
  });
  return {
    cleanup,
    signal: abort.signal,
    stoppedBy(err) {
      if (cleanup.wasInterrupted)
        return { code: 'RUN_INTERRUPTED', message: 'interrupted (Ctrl-C)' };
      if (crash) return crashError(crash);
      return { code: codeOf(err), message: messageOf(err) };
    },
    async tearDown() {
      await cleanup.runAll();
      process.off('uncaughtException', onCrash);
      process.off('unhandledRejection', onCrash);
      return {
        interrupted: cleanup.wasInterrupted,
        ...(crash ? { crash: crashError(crash) } : {}),
      };
    },
    release: () => cleanup.dispose(),
  };
}
