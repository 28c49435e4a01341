import { boardFault, pullCable } from './fault.ts';

/**
 * Pull the IPC cable for hold_ms: the standby becomes disconnected but must
 * not take over (the active still answers on the LAN); replugged, it resyncs.
 */
export const pullIpcCable = boardFault({
  kind: 'pull-ipc-cable',
  description: 'pull the IPC cable for hold_ms; no takeover, then bulk resync to hot',
  aim: 'active',
  act: (ctx, state, timing) => pullCable(ctx, state, 'ipc', timing.hold_ms ?? 2000),
});
