/** The deployment bundle holds the checkout's sources and nothing git ignores. */
import { execFileSync } from 'node:child_process';
import test from 'ava';
import { makeBundle } from './bundle.ts';
import { CHECKOUT } from './deploy.ts';

test('the bundle has the sources, the lock file hash, and no node_modules or runs', (t) => {
  const bundle = makeBundle(CHECKOUT);
  t.teardown(bundle.dispose);
  const names = execFileSync('tar', ['-tzf', bundle.file], {
    encoding: 'utf8',
    maxBuffer: 64 << 20,
  }).split('\n');
  t.true(names.includes('package.json'));
  t.true(names.includes('harness/cli/hitless.mjs'));
  t.true(names.includes('stack/link/tap/tap.c'));
  t.false(names.some((n) => n.startsWith('node_modules/')));
  t.false(names.some((n) => n.startsWith('reports/runs/')));
  t.regex(bundle.lockHash, /^[0-9a-f]{64}$/);
});
