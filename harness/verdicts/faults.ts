/**
 * The fault timeline (`--faults timeline.json`): a JSON array of
 *   { "kind": "power-off rp0", "start": <time>, "end": <time> }
 * where a time is epoch milliseconds (number) or an ISO 8601 string with a
 * zone ("2026-11-27T04:00:00.250Z"). Extra keys are allowed and ignored.
 */
import { readFile } from 'node:fs/promises';
import { z } from 'zod';
import { VerdictError } from './errors.ts';
import type { FaultWindow } from './evidence.ts';

const Time = z.union([
  z.number().nonnegative(),
  z.string().refine((s) => !Number.isNaN(Date.parse(s)), 'expected an ISO 8601 time'),
]);

export const FaultSchema = z
  .object({ kind: z.string().min(1), start: Time, end: Time })
  .loose()
  .refine((f) => toMs(f.end) >= toMs(f.start), { message: 'end is before start', path: ['end'] });

export const TimelineSchema = z.array(FaultSchema);
export type FaultEntry = z.infer<typeof FaultSchema>;

function toMs(t: number | string): number {
  return typeof t === 'number' ? t : Date.parse(t);
}

/** Parses a time given on the command line the same way (epoch ms or ISO). */
export function parseTime(text: string, what: string): number {
  const ms = /^\d+(\.\d+)?$/.test(text) ? Number(text) : Date.parse(text);
  if (Number.isNaN(ms))
    throw new VerdictError(
      'BAD_TIME',
      `${what}: "${text}" is neither epoch milliseconds nor an ISO 8601 time`,
    );
  return ms;
}

export function parseTimeline(text: string, file: string): FaultWindow[] {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new VerdictError('FAULTS_INVALID', `${file}: not JSON: ${(err as Error).message}`);
  }
  const parsed = TimelineSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const where = issue.path
      .map((k) => (typeof k === 'number' ? `[${k}]` : `.${String(k)}`))
      .join('');
    throw new VerdictError('FAULTS_INVALID', `${file}: ${where || 'top level'}: ${issue.message}`);
  }
  return parsed.data.map((f) => ({ kind: f.kind, startMs: toMs(f.start), endMs: toMs(f.end) }));
}

export async function loadTimeline(file: string): Promise<FaultWindow[]> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    throw new VerdictError('FAULTS_INVALID', `${file}: ${(err as Error).message}`);
  }
  return parseTimeline(text, file);
}
