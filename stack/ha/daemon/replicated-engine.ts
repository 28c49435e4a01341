/**
 * The engine the daemon's socket layer drives in HA mode: a `TcpEngine` behind the SSO
 * replicator. Every input goes through the replicator (records for SSO connections only); the
 * log index the outputs depend on is kept for the transmit hook, which runs synchronously while
 * the host processes those outputs.
 */
import type {
  Addr,
  ConnId,
  ConnInfo,
  SnapshotOptions,
  TcbDigest,
  TcpEngineApi,
  TcpInput,
  TcpOutput,
} from '../../tcp/api.ts';
import type { TcpEngine } from '../../tcp/engine.ts';
import { type ReplicationSink, SsoReplicator } from '../replication/replicator.ts';
import { connectKey, type SsoPolicy } from './sso-policy.ts';

export class ReplicatedEngine implements TcpEngineApi {
  replicator: SsoReplicator;
  /** Log index the outputs of the input being processed depend on (0: none). */
  dependsOn = 0;
  /** After takeover: the next resume drops out-of-order data (replayed without bytes). */
  discardOnResume = false;
  /** Only the active board's socket layer may drive the engine (a standby replays into it). */
  active = false;

  constructor(
    readonly engine: TcpEngine,
    private readonly policy: SsoPolicy,
    private readonly sink: ReplicationSink,
    private readonly appState: (conn: ConnId) => Uint8Array | null | undefined,
  ) {
    this.replicator = this.freshReplicator();
  }

  /** A new replicator over the same engine (after takeover: connections are adopted into it). */
  freshReplicator(): SsoReplicator {
    const r = new SsoReplicator(this.engine, this.sink, this.appState);
    for (const [port, attrs] of this.policy.listen) r.markSsoPort(port, attrs);
    this.replicator = r;
    return r;
  }

  /** What the outputs being transmitted depend on (see SsoReplicator.dependencyNow). */
  outputsDependOn(): number {
    return this.replicator.dependencyNow(this.dependsOn);
  }

  handle(input: TcpInput): TcpOutput[] {
    this.dependsOn = 0;
    // Listeners are harmless on a standby (its front is silent) and must survive role changes.
    if (input.kind === 'unlisten') return this.engine.handle(input);
    if (input.kind === 'listen' && this.engine.listeners.has(input.port)) return [];
    if (!this.active && input.kind !== 'listen') return [];
    if (input.kind === 'listen') {
      this.dependsOn = 0;
      return this.replicator.listen(input, this.policy.listen.get(input.port));
    }
    if (input.kind === 'connect') {
      const r = this.replicator.connect(
        input,
        this.policy.connect.get(connectKey(input.remoteAddr, input.remotePort)),
      );
      this.dependsOn = r.dependsOn;
      return r.outputs;
    }
    if (input.kind === 'resume' && this.discardOnResume) {
      this.discardOnResume = false;
      input = { ...input, discardOutOfOrder: true };
    }
    const r = this.replicator.handle(input);
    this.dependsOn = r.dependsOn;
    return r.outputs;
  }

  nextDeadline(): number {
    return this.engine.nextDeadline();
  }
  dueConnections(now: number): ConnId[] {
    return this.engine.dueConnections(now);
  }
  takeDueConnections(now: number): ConnId[] {
    return this.engine.takeDueConnections(now);
  }
  lookup(localPort: number, remoteAddr: Addr, remotePort: number): ConnId | undefined {
    return this.engine.lookup(localPort, remoteAddr, remotePort);
  }
  info(conn: ConnId): ConnInfo | undefined {
    return this.engine.info(conn);
  }
  connections(): ConnId[] {
    return this.engine.connections();
  }
  digest(conn: ConnId): TcbDigest | undefined {
    return this.engine.digest(conn);
  }
  snapshotConnection(conn: ConnId, opts?: SnapshotOptions): Uint8Array {
    return this.engine.snapshotConnection(conn, opts);
  }
  restoreConnection(bytes: Uint8Array): ConnId {
    return this.engine.restoreConnection(bytes);
  }
  removeConnection(conn: ConnId): void {
    this.engine.removeConnection(conn);
  }
  serialize(): Uint8Array {
    return this.engine.serialize();
  }
  rebase(deltaMs: number, conn?: ConnId): void {
    this.engine.rebase(deltaMs, conn);
  }
}
