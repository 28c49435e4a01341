/**
 * YAML files validated by a zod schema, with errors that name the file, the
 * line and the key, so a person can fix a config, lab file or testplan at once.
 */
import { readFileSync } from 'node:fs';
import { isMap, isScalar, isSeq, LineCounter, type Node, parseDocument } from 'yaml';
import type { z } from 'zod';

export interface ConfigProblem {
  /** Dotted path of the offending key, e.g. `front.address` or `apps[1].port`. */
  key: string;
  /** 1-based line, 0 when the key has no place in the file (a missing key). */
  line: number;
  message: string;
}

export class ConfigError extends Error {
  readonly code = 'CONFIG_INVALID';
  constructor(
    readonly file: string,
    readonly problems: ConfigProblem[],
  ) {
    super(
      problems
        .map((p) => `${file}${p.line ? `:${p.line}` : ''}: ${p.key || '(top level)'}: ${p.message}`)
        .join('\n'),
    );
  }
}

function pathToKey(path: ReadonlyArray<PropertyKey>): string {
  let key = '';
  for (const part of path) {
    if (typeof part === 'number') key += `[${part}]`;
    else key += key ? `.${String(part)}` : String(part);
  }
  return key;
}

/** The line of the deepest node along `path` that exists in the document. */
function lineOf(
  root: Node | null | undefined,
  path: ReadonlyArray<PropertyKey>,
  lines: LineCounter,
): number {
  let node: unknown = root;
  let best = 0;
  for (const part of path) {
    if (isMap(node)) {
      const pair = node.items.find((p) => isScalar(p.key) && String(p.key.value) === String(part));
      if (!pair) break;
      const keyNode = pair.key as Node;
      if (keyNode.range) best = lines.linePos(keyNode.range[0]).line;
      node = pair.value;
    } else if (isSeq(node) && typeof part === 'number') {
      node = node.items[part];
      const range = (node as Node | undefined)?.range;
      if (range) best = lines.linePos(range[0]).line;
    } else {
      break;
    }
  }
  return best;
}

/** Parse YAML text and validate it; throws ConfigError naming file, line and key. */
export function parseYamlConfig<S extends z.ZodType>(
  text: string,
  schema: S,
  file: string,
): z.infer<S> {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true });
  if (doc.errors.length > 0) {
    throw new ConfigError(
      file,
      doc.errors.map((e) => ({
        key: '',
        line: e.linePos?.[0]?.line ?? 0,
        message: `YAML syntax: ${e.message.split('\n')[0]}`,
      })),
    );
  }
  const result = schema.safeParse(doc.toJS());
  if (result.success) return result.data;
  throw new ConfigError(
    file,
    result.error.issues.map((issue) => ({
      key: pathToKey(issue.path),
      line: lineOf(doc.contents, issue.path, lines),
      message: issue.message,
    })),
  );
}

/** Read and validate a YAML file; a missing or unreadable file is a ConfigError too. */
export function loadYamlConfig<S extends z.ZodType>(file: string, schema: S): z.infer<S> {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new ConfigError(file, [
      { key: '', line: 0, message: `cannot read: ${(err as Error).message}` },
    ]);
  }
  return parseYamlConfig(text, schema, file);
}
