// Entry of the heartbeat thread: a worker does not inherit the main thread's TypeScript loader
// when that one was registered in code (the `hitless` command), so register it here if needed.
// (The retry imports a distinct URL: a failed import stays failed in the module map.)
try {
  await import('./beat-worker.ts');
} catch (err) {
  if (err?.code !== 'ERR_UNKNOWN_FILE_EXTENSION') throw err;
  const { register } = await import('tsx/esm/api');
  register();
  await import('./beat-worker.ts?loader=tsx');
}
