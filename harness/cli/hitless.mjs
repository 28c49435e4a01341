#!/usr/bin/env node
// The `hitless` command: loads the TypeScript sources through tsx, so a
// checkout runs as it is, on the lab host and on the boards alike.
import { register } from 'tsx/esm/api';

register();
await import('./main.ts');
