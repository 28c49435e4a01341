#!/usr/bin/env -S node --min-semi-space-size=16 --max-semi-space-size=16 --single-threaded-gc
// The `hitless` command: loads the TypeScript sources through tsx, so a
// checkout runs as it is, on the lab host and on the boards alike.
// Garbage collection, tuned for a daemon that moves segments at link speed:
// - a young generation of a fixed 16 MiB: V8 grows it on demand, and whenever
//   it had grown past the room left in the old generation (a daemon's old heap
//   is small, ~15 MB) V8 started a full marking at once: at link speed one every
//   ~25 ms. Fixed, it is counted in when the old generation's limit is set, and
//   the segment buffers output commit holds for a few milliseconds die young.
// - collection on the main thread only: V8's helper threads took nearly as much
//   CPU as the daemon itself, on boards whose other cores carry the kernel's
//   network work (CPU per GiB moved: −30 %, SSO on and off).
import { register } from 'tsx/esm/api';

register();
await import('./main.ts');
