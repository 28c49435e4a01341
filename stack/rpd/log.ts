/** JSON-line logs on stdout: one object per line with ts, level, event and fields. */

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';
const RANK: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

export type Logger = (level: LogLevel, event: string, fields?: Record<string, unknown>) => void;

export function jsonLogger(
  minLevel: LogLevel = 'info',
  write: (line: string) => void = (line) => process.stdout.write(line),
  base: Record<string, unknown> = {},
): Logger {
  return (level, event, fields = {}) => {
    if (RANK[level] < RANK[minLevel]) return;
    let line: string;
    try {
      line = JSON.stringify({ ts: new Date().toISOString(), level, event, ...base, ...fields });
    } catch {
      line = JSON.stringify({
        ts: new Date().toISOString(),
        level,
        event,
        ...base,
        note: 'unserialisable fields',
      });
    }
    write(`${line}\n`);
  };
}
