/** Start the apps of a daemon config on a socket layer. */
import { type AppContext, type AppKind, type RunningApp, runApp } from './app.ts';
import type { AppSpec } from './config.ts';
import { discardApp } from './discard.ts';
import { echoApp } from './echo.ts';
import { streamApp } from './stream.ts';

export type { AppContext, AppLog, AppStats, RunningApp } from './app.ts';
export { type AppSpec, appSpecSchema, appsSchema } from './config.ts';

export function startApp(spec: AppSpec, ctx: AppContext): RunningApp {
  switch (spec.kind) {
    case 'echo':
      return runApp(spec, echoApp, ctx);
    case 'discard':
      return runApp(spec, discardApp, ctx);
    case 'stream':
      return runApp(spec, streamApp as AppKind<typeof spec>, ctx);
  }
}

export function startApps(specs: readonly AppSpec[], ctx: AppContext): RunningApp[] {
  return specs.map((spec) => startApp(spec, ctx));
}
