/**
 * What the HA daemon shows on its status socket (`hitless rpd status`: sections `ha`, `tcp`,
 * `apps`) and the `switchover` command it answers there.
 */
import type { RunningApp } from '../../apps/index.ts';
import type { Board } from '../../rpd/daemon.ts';
import type { TcpHost } from '../../tcp/host/host.ts';
import { HaError } from '../errors.ts';
import type { Replayer } from '../replication/replayer.ts';
import type { HaRuntime } from '../runtime/ha-runtime.ts';
import type { InputGate } from './input-gate.ts';
import type { OverheardInput } from './overheard-input.ts';
import type { ReplicatedEngine } from './replicated-engine.ts';

export interface HaStatusSources {
  runtime: HaRuntime<unknown>;
  wrapped: ReplicatedEngine;
  replayer: Replayer;
  inputs: InputGate;
  overheard: OverheardInput;
  alarms: object;
  lastTakeover: () => object | null;
  /** The socket layer and apps of the current term. */
  host: () => TcpHost;
  apps: () => RunningApp[];
}

export function registerHaStatus(board: Board, s: HaStatusSources): void {
  const { loop } = board;
  const { runtime, wrapped, replayer, inputs, overheard } = s;
  loop.addStatus('ha', () => ({
    ...runtime.status(),
    connections: {
      all: wrapped.engine.connections().length,
      sso: wrapped.replicator.ssoConnections().length,
    },
    replication: wrapped.replicator.stats,
    replay: replayer.stats,
    inputs: { paused: inputs.paused, heldNow: inputs.heldNow, ...inputs.stats },
    overheard: { heldNow: overheard.size, ...overheard.stats },
    mismatches: replayer.stats.mismatches,
    alarms: s.alarms,
    lastTakeover: s.lastTakeover(),
  }));
  loop.addStatus('tcp', () => s.host().status());
  loop.addStatus('apps', () =>
    s.apps().map((a) => ({ kind: a.spec.kind, sso: a.spec.sso, state: 'running', ...a.stats() })),
  );
  board.status.command('switchover', () => {
    const why = switchoverRefusal(runtime);
    if (why) throw new HaError('HA_BAD_STATE', why);
    runtime.requestSwitchover();
    loop.poke();
    return { requested: true, role: runtime.node.role, epoch: runtime.node.epoch };
  });
}

/** Why a planned switchover cannot start now, or null (checked before asking the role machine). */
export function switchoverRefusal(runtime: HaRuntime<unknown>): string | null {
  const n = runtime.node;
  if (n.handover) return 'a switchover is already in progress';
  if (n.role !== 'active' && n.role !== 'standby') return `this board is ${n.role}`;
  if (!n.ipcUp) return 'the IPC link to the mate is down';
  if (n.sync !== 'hot') return `the standby is not hot (sync ${n.sync})`;
  return null;
}
