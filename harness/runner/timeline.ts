/**
 * One timeline of timestamped events from every source of a run (harness
 * actions, consoles, daemons, peer agents, captures). Events are appended to
 * timeline.jsonl as they happen, so a crashed run still leaves its story;
 * timeline.json is the sorted whole, written at the end.
 */
import { appendFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface TimelineEntry {
  /** Epoch milliseconds. */
  ts: number;
  source: string;
  kind: string;
  detail: Record<string, unknown>;
  iteration?: number;
}

export class Timeline {
  private readonly entries: TimelineEntry[] = [];
  private readonly streamFile: string;
  iteration: number | undefined;

  constructor(
    private readonly dir: string,
    private readonly now: () => number = Date.now,
  ) {
    this.streamFile = join(dir, 'timeline.jsonl');
    writeFileSync(this.streamFile, '');
  }

  add(
    source: string,
    kind: string,
    detail: Record<string, unknown> = {},
    ts = this.now(),
  ): TimelineEntry {
    const entry: TimelineEntry = { ts, source, kind, detail, iteration: this.iteration };
    this.entries.push(entry);
    appendFileSync(this.streamFile, `${JSON.stringify(entry)}\n`);
    return entry;
  }

  /** Events of one kind (and source), in time order. */
  find(kind: string, source?: string): TimelineEntry[] {
    return this.all().filter(
      (e) => e.kind === kind && (source === undefined || e.source === source),
    );
  }

  all(): TimelineEntry[] {
    return [...this.entries].sort((a, b) => a.ts - b.ts);
  }

  /** Write the sorted timeline; returns its path. */
  save(): string {
    const file = join(this.dir, 'timeline.json');
    writeFileSync(file, `${JSON.stringify(this.all(), null, 1)}\n`);
    return file;
  }
}
