/**
 * `npm run sim -- --seeds N [--from S]`: a long campaign of seeded simulations, each crashing
 * the active at a record boundary drawn from the seed. Prints every failing seed (rerun one with
 * `--from S --seeds 1`) and exits 1 if any failed.
 */
import os from 'node:os';
import { parseArgs } from 'node:util';
import { campaignCase, describeCase } from './cases.ts';
import { runSimulation } from './world.ts';

const { values } = parseArgs({
  options: {
    seeds: { type: 'string', default: '100' },
    from: { type: 'string', default: '1' },
    verbose: { type: 'boolean', default: false },
  },
});
const count = Number(values.seeds);
const from = Number(values.from);
if (!Number.isInteger(count) || count < 1 || !Number.isInteger(from)) {
  console.error('usage: npm run sim -- --seeds N [--from S] [--verbose]');
  process.exit(2);
}

console.log(
  `hitless HA simulation: seeds ${from}..${from + count - 1} on ${os.cpus()[0]?.model ?? 'cpu'} x${os.cpus().length}, node ${process.version}`,
);
const t0 = performance.now();
let failed = 0;
let crashed = 0;
let stallMax = 0;
const stalls: number[] = [];
for (let seed = from; seed < from + count; seed++) {
  const opts = campaignCase(seed);
  const r = runSimulation(opts);
  if (r.crashed) {
    crashed++;
    stalls.push(r.stallMs);
    stallMax = Math.max(stallMax, r.stallMs);
  }
  if (r.failures.length > 0) {
    failed++;
    console.log(`FAIL ${describeCase(opts)}`);
    for (const f of r.failures.slice(0, 10)) console.log(`  ${f}`);
  } else if (values.verbose) {
    console.log(
      `ok   ${describeCase(opts)}: ${r.crashed ? `took over at ${r.tookOverAt} ms, peer stall ${r.stallMs} ms, ${r.takenOver} connections carried on` : 'crash point not reached'}, ${r.connections} connections`,
    );
  }
  if ((seed - from + 1) % 100 === 0) console.log(`... ${seed - from + 1} runs, ${failed} failed`);
}
stalls.sort((a, b) => a - b);
const median = stalls.length ? stalls[Math.floor(stalls.length / 2)] : 0;
console.log(
  `${count} runs, ${crashed} crashed and took over, ${failed} failed; peer stall median ${median} ms, max ${stallMax} ms (virtual); ${((performance.now() - t0) / 1000).toFixed(1)} s`,
);
process.exit(failed > 0 ? 1 : 0);
