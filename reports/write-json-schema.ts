/**
 * Writes reports/results.schema.json (the editor-facing JSON Schema of
 * results.json) from the zod schema: `npm run schema:results`.
 */
import { writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { resultsJsonSchema } from './results-schema.ts';

export const JSON_SCHEMA_FILE = join(
  dirname(fileURLToPath(import.meta.url)),
  'results.schema.json',
);

export function jsonSchemaText(): string {
  return `${JSON.stringify(resultsJsonSchema(), null, 2)}\n`;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  writeFileSync(JSON_SCHEMA_FILE, jsonSchemaText());
  process.stdout.write(`wrote ${JSON_SCHEMA_FILE}\n`);
}
