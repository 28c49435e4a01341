#!/usr/bin/env -S node --min-semi-space-size=16 --max-semi-space-size=16 --single-threaded-gc --initial-old-space-size=128 --no-memory-reducer
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
// - an old generation of 128 MiB before the first full collection: with ~24 MB
//   of room above a ~15 MB heap V8 began incremental marking every few
//   scavenges (30 full collections per GiB streamed under SSO; 17 % of the
//   time in GC); the room costs RSS only while garbage waits for it.
// - no memory reducer: it took a board under steady load for idle and ran full
//   collections in the middle of transfers (1–3 per GiB on each board, each a
//   10–25 ms pause; on the standby, a pause of every confirmation).
import { register } from 'tsx/esm/api';

register();
await import('./main.ts');
