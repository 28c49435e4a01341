#!/usr/bin/env -S node --min-semi-space-size=16 --max-semi-space-size=16
// The `hitless` command: loads the TypeScript sources through tsx, so a
// checkout runs as it is, on the lab host and on the boards alike.
// A young generation of a fixed 16 MiB: V8 grows it on demand, and whenever
// it had grown past the room left in the old generation (a daemon's old heap
// is small, ~15 MB) V8 started a full marking at once: at link speed one every
// ~25 ms, with most of a core in its marking threads. Fixed, it is counted in
// when the old generation's limit is set, and the segment buffers that output
// commit holds for a few milliseconds still die young.
import { register } from 'tsx/esm/api';

register();
await import('./main.ts');
