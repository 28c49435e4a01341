#!/usr/bin/env -S node --max-semi-space-size=64
// The `hitless` command: loads the TypeScript sources through tsx, so a
// checkout runs as it is, on the lab host and on the boards alike.
// A young generation of up to 64 MiB: the daemon's segment buffers live a few
// milliseconds longer while output commit holds them, and with the default
// size they were promoted and swept (garbage collection tripled, SSO
// throughput −25 %). The space only grows when it is used.
import { register } from 'tsx/esm/api';

register();
await import('./main.ts');
