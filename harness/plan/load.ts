/**
 * Loading testplans and expanding their fault schedule into the ordered list
 * of iterations the runner executes, reproducibly from the seed.
 */
import { dirname, resolve } from 'node:path';
import { loadYamlConfig } from '../../stack/schema/yaml-config.ts';
import { type FaultKind, type Testplan, testplanSchema } from './schema.ts';

export interface LoadedTestplan extends Testplan {
  /** Absolute path of the testplan file. */
  file: string;
  /** Absolute path of the lab file the plan names, if it names one. */
  labFile?: string;
}

export function loadTestplan(file: string): LoadedTestplan {
  const plan = loadYamlConfig(file, testplanSchema);
  const abs = resolve(file);
  return {
    ...plan,
    file: abs,
    labFile: plan.lab ? resolve(dirname(abs), plan.lab) : undefined,
  };
}

export interface PlannedFault {
  /** 1-based position in the run. */
  iteration: number;
  kind: FaultKind;
  holdMs?: number;
  /** Pause before this fault is injected, once the chassis has settled. */
  spacingMs: number;
}

/** A small seeded PRNG (mulberry32): the same seed gives the same schedule anywhere. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * Expand `schedule` into iterations: every entry `count` times, interleaved
 * in a seeded shuffle so a long campaign mixes its faults, with each spacing
 * drawn from the range when one is given. `repeat` runs the whole plan again.
 */
export function expandSchedule(
  plan: Testplan,
  seed = plan.faults.seed,
  repeat = 1,
): PlannedFault[] {
  const random = seededRandom(seed);
  const bag: { kind: FaultKind; holdMs?: number }[] = [];
  for (let r = 0; r < repeat; r++) {
    for (const entry of plan.faults.schedule) {
      for (let i = 0; i < entry.count; i++) bag.push({ kind: entry.kind, holdMs: entry.hold_ms });
    }
  }
  // Fisher-Yates with the seeded generator.
  for (let i = plan.faults.order === 'shuffled' ? bag.length - 1 : 0; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [bag[i], bag[j]] = [bag[j]!, bag[i]!];
  }
  const spacing = plan.faults.spacing_ms;
  return bag.map((f, i) => ({
    iteration: i + 1,
    kind: f.kind,
    holdMs: f.holdMs,
    spacingMs:
      typeof spacing === 'number'
        ? spacing
        : spacing.min + Math.floor(random() * (spacing.max - spacing.min + 1)),
  }));
}
