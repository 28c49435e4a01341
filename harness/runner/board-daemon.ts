/**
 * The stack daemon on one board, driven over SSH: its status (the control
 * socket, read with socat, else `hitless rpd status --json`), its pid,
 * signals, start and stop. Status is normalised so the runner works with
 * today's single-board daemon and with the HA daemon alike.
 */
import type { Board } from '../lab/schema.ts';
import { boardFiles } from './daemon-config.ts';
import { RunnerError } from './errors.ts';
import type { RemoteHost } from './remote.ts';
import { shellQuote } from './remote.ts';

export interface BoardStatus {
  board: string;
  slot: number;
  /** The board answered SSH. */
  reachable: boolean;
  /** The daemon answered on its control socket. */
  running: boolean;
  pid?: number;
  /** The daemon runs its HA mode (a `ha` section in its status). */
  ha: boolean;
  /** HA role, or 'active' for a single-board daemon owning the chassis address. */
  role?: 'booting' | 'active' | 'standby' | 'inactive';
  sync?: 'cold' | 'syncing' | 'hot' | 'disconnected';
  epoch?: number;
  connections?: number;
  raw?: Record<string, unknown>;
}

type Json = Record<string, unknown>;
const obj = (v: unknown): Json | undefined =>
  typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Json) : undefined;

/**
 * Parse what the control socket (or `rpd status --json`) printed. A daemon
 * configured for HA answers as a single board for a moment while it starts:
 * with `expectHa`, that is a board still booting, never an active one.
 */
export function parseStatus(board: Board, text: string, expectHa = false): BoardStatus {
  const base: BoardStatus = {
    board: board.name,
    slot: board.slot,
    reachable: true,
    running: false,
    ha: false,
  };
  // The socket answers one JSON line; `rpd status --json` prints indented JSON.
  let value: Json | undefined;
  for (const candidate of [
    text.trim(),
    ...text.split('\n').filter((l) => l.trim().startsWith('{')),
  ]) {
    try {
      value = obj(JSON.parse(candidate));
      if (value) break;
    } catch {
      // try the next form
    }
  }
  if (!value) return base;
  const result = value.ok === true ? obj(value.result) : value.ok === false ? undefined : value;
  if (!result) return base;
  const daemon = obj(result.daemon) ?? {};
  const ha = obj(result.ha);
  const tcp = obj(result.tcp);
  const roleText = expectHa && !ha ? 'booting' : String(ha?.role ?? daemon.role ?? '');
  const role = (['booting', 'active', 'standby', 'inactive'] as const).find((r) => r === roleText);
  const syncText = String(ha?.sync ?? ha?.sync_state ?? '');
  const sync = (['cold', 'syncing', 'hot', 'disconnected'] as const).find((s) => s === syncText);
  return {
    ...base,
    running: true,
    ha: ha !== undefined || expectHa,
    ...(typeof daemon.pid === 'number' ? { pid: daemon.pid } : {}),
    ...(role ? { role } : {}),
    ...(sync ? { sync } : {}),
    ...(typeof ha?.epoch === 'number' ? { epoch: ha.epoch } : {}),
    ...(typeof tcp?.connections === 'number' ? { connections: tcp.connections } : {}),
    raw: result,
  };
}

export class BoardDaemon {
  readonly files: ReturnType<typeof boardFiles>;

  constructor(
    readonly board: Board,
    readonly shell: RemoteHost,
    /** The `hitless` command on the board. */
    readonly hitless: string,
    /** Its config has an HA block: a status without one is a daemon still starting. */
    readonly expectHa = false,
  ) {
    this.files = boardFiles(board);
  }

  private get socket(): string {
    return `${this.files.runDir}/rpd-hl0.sock`;
  }

  /**
   * Ask the daemon for a planned switchover: `{"cmd":"switchover"}` on its
   * control socket (else `hitless rpd switchover`); throws unless it agrees.
   */
  async requestSwitchover(): Promise<void> {
    const q = shellQuote;
    const cmd =
      `if command -v socat >/dev/null; then echo '{"cmd":"switchover"}' | socat -t5 - UNIX-CONNECT:${q(this.socket)}; ` +
      `else ${this.hitless} rpd switchover --config ${q(this.files.config)}; fi`;
    const r = await this.shell.exec(cmd, { timeoutMs: 15_000 });
    const answer = r.stdout.trim().split('\n').pop() ?? '';
    let ok = r.code === 0 && answer !== '';
    try {
      const v = JSON.parse(answer) as { ok?: unknown };
      if (typeof v === 'object' && v !== null && 'ok' in v) ok = ok && v.ok === true;
    } catch {
      // the CLI form prints text; its exit code decides
    }
    if (!ok)
      throw new RunnerError(
        'RUN_DAEMON',
        `${this.board.name}: planned switchover refused: ${(answer || r.stderr.trim()).slice(0, 300)}`,
      );
  }

  async status(timeoutMs = 5000): Promise<BoardStatus> {
    const q = shellQuote;
    const cmd =
      `if command -v socat >/dev/null; then echo '{"cmd":"status"}' | socat -t2 - UNIX-CONNECT:${q(this.socket)} 2>/dev/null; ` +
      `else ${this.hitless} rpd status --json --config ${q(this.files.config)} 2>/dev/null; fi; true`;
    const r = await this.shell.exec(cmd, { timeoutMs });
    if (r.code !== 0)
      return {
        board: this.board.name,
        slot: this.board.slot,
        reachable: false,
        running: false,
        ha: false,
      };
    return parseStatus(this.board, r.stdout, this.expectHa);
  }

  /**
   * Matches the daemon's command line but not a shell's that carries the
   * pattern itself (nor its forks about to exec): `rpd --confi[g] FILE`.
   */
  private get pgrepPattern(): string {
    return `rpd --confi[g] ${this.files.config.replace(/[.[\]*+?^$(){}|\\]/g, '\\$&')}`;
  }

  /** Pids of this board's daemon processes (by the config path on its command line). */
  async pids(): Promise<number[]> {
    const out = await this.shell.run(`pgrep -f -- ${shellQuote(this.pgrepPattern)} || true`);
    return out
      .split(/\s+/)
      .map(Number)
      .filter((n) => Number.isInteger(n) && n > 0);
  }

  async signal(signal: 'KILL' | 'STOP' | 'CONT' | 'TERM'): Promise<number[]> {
    const pids = await this.pids();
    if (pids.length === 0)
      throw new RunnerError(
        'RUN_DAEMON',
        `${this.board.name}: no daemon running to send SIG${signal} to`,
      );
    await this.shell.run(`kill -${signal} ${pids.join(' ')}`);
    return pids;
  }

  /**
   * The board's own address on its front bridge (the HA heartbeat's LAN
   * path binds it). Lost on every power cycle, so ensured after each boot.
   */
  async ensureLanAddress(address: string, prefix: number): Promise<void> {
    const dev = shellQuote(this.board.interfaces.front);
    await this.shell.run(
      `ip -4 -o addr show dev ${dev} | grep -q ' ${address}/' || ip addr add ${address}/${prefix} dev ${dev}`,
    );
  }

  /** Start the daemon in the background, detached from the SSH session. */
  async start(): Promise<void> {
    const q = shellQuote;
    // Every descriptor redirected, so the SSH session does not wait for the daemon.
    await this.shell.run(
      `mkdir -p ${q(this.files.runDir)}; setsid nohup ${this.hitless} rpd --config ${q(this.files.config)} ` +
        `</dev/null >>${q(this.files.log)} 2>&1 & echo started`,
    );
  }

  /** The daemon log's last lines, joined with ' | '. */
  async lastLogLines(n: number): Promise<string> {
    const r = await this.shell.exec(`tail -n ${n} ${shellQuote(this.files.log)}`, {
      timeoutMs: 5000,
    });
    return r.stdout.trim().split('\n').join(' | ').slice(0, 600);
  }

  /**
   * Start the daemon and SIGKILL it the moment it logs its IPC up: its hello
   * has just asked the active for a bulk sync, which lasts a few milliseconds,
   * less than one status poll over SSH, so the watch runs on the board (tail
   * -F of the daemon log). Says whether the kill landed before the daemon
   * turned hot (`in-sync`), after (`hot-first`), or never came (`timeout`).
   */
  async startAndKillInBulkSync(
    timeoutMs: number,
  ): Promise<{ outcome: 'in-sync' | 'hot-first' | 'timeout'; pids: number[] }> {
    const q = shellQuote;
    const log = q(this.files.log);
    // Read by `bash -s` from standard input: no command line of this script matches pgrep's pattern.
    const script = [
      `off=$(stat -c %s ${log} 2>/dev/null || echo 0)`,
      `exec 3< <(exec tail -c +$((off + 1)) -F ${log} 2>/dev/null)`,
      'tp=$!',
      `mkdir -p ${q(this.files.runDir)}`,
      `setsid nohup ${this.hitless} rpd --config ${q(this.files.config)} </dev/null >>${log} 2>&1 3<&- &`,
      `if timeout ${Math.ceil(timeoutMs / 1000)} grep -m1 -q '"event":"ha-ipc-up"' <&3; then found=1; else found=0; fi`,
      'kill $tp 2>/dev/null; exec 3<&-',
      'if [ $found = 0 ]; then echo "result timeout"; exit 0; fi',
      `pids=$(pgrep -f -- ${q(this.pgrepPattern)})`,
      'kill -KILL $pids 2>/dev/null',
      'echo "pids" $pids',
      'sleep 0.1',
      `if tail -c +$((off + 1)) ${log} | grep -q '"event":"ha-hot"'; then echo "result hot-first"; else echo "result in-sync"; fi`,
    ].join('\n');
    const out = await this.shell.run('bash -s', {
      input: `${script}\n`,
      timeoutMs: timeoutMs + 10_000,
    });
    const outcome = /result (in-sync|hot-first|timeout)/.exec(out)?.[1] as
      | 'in-sync'
      | 'hot-first'
      | 'timeout'
      | undefined;
    if (!outcome)
      throw new RunnerError(
        'RUN_DAEMON',
        `${this.board.name}: kill in bulk sync: ${out.slice(0, 300)}`,
      );
    const pids = (/pids ([\d ]*)/.exec(out)?.[1] ?? '')
      .split(' ')
      .map(Number)
      .filter((n) => n > 0);
    return { outcome, pids };
  }

  /** Stop every daemon of this board (TERM, then KILL after a grace time); resumes a frozen one first. */
  async stop(graceMs = 3000): Promise<void> {
    const pids = await this.pids();
    if (pids.length === 0) return;
    const list = pids.join(' ');
    await this.shell.run(
      `kill -CONT ${list} 2>/dev/null; kill -TERM ${list} 2>/dev/null; ` +
        `for i in $(seq 1 ${Math.ceil(graceMs / 100)}); do kill -0 ${list} 2>/dev/null || exit 0; sleep 0.1; done; ` +
        `kill -KILL ${list} 2>/dev/null; true`,
      { timeoutMs: graceMs + 5000 },
    );
  }
}
