/**
 * The long-lived process of a virtual lab (`hitless lab up` starts it
 * detached): boots the hosts, relays the consoles, runs snmpd whose
 * pass_persist backend is served here, and answers control requests
 * (status, power, port) as JSON lines on a Unix socket.
 * Usage: node --import tsx supervisor.ts LAB_FILE
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { appendFileSync, openSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { createInterface } from 'node:readline';
import { SnmpClient } from '../../drivers/snmp/snmp-client.ts';
import { loadLab } from '../lab/load.ts';
import { ConsoleRelay } from './console-relay.ts';
import { Equipment } from './equipment.ts';
import { AGENT_SUBTREES, communities, virtualHosts } from './files.ts';
import { HostRunner } from './host-runner.ts';
import { buildMib } from './mib.ts';
import { statePaths } from './names.ts';
import { PassPersistSession } from './pass-persist.ts';
import { tcpOpen } from './probe.ts';
import { waitFor } from './sh.ts';

const lab = loadLab(process.argv[2]);
const paths = statePaths(lab);
const log = (msg: string) => process.stdout.write(`${new Date().toISOString()} ${msg}\n`);

const runners = new Map<string, HostRunner>();
const consoles = new Map<string, ConsoleRelay>();
for (const host of virtualHosts(lab)) {
  const board = lab.boards.find((b) => b.name === host.name);
  const consoleLog = `${host.dir}/console.log`;
  let relay: ConsoleRelay | undefined;
  const runner = new HostRunner(
    lab,
    host,
    (d) => {
      relay?.write(d);
      try {
        appendFileSync(board ? consoleLog : `${host.dir}/boot.log`, d);
      } catch {
        // the state dir is going away (lab down)
      }
    },
    log,
  );
  if (board) {
    relay = new ConsoleRelay(board.console.port, (d) => runner.writeConsole(d), log);
    consoles.set(host.name, relay);
  }
  runners.set(host.name, runner);
}
const equipment = new Equipment(lab, runners, log);

let snmpd: ChildProcess | undefined;
function startSnmpd(): void {
  const out = openSync(paths.snmpdLog, 'a');
  snmpd = spawn(
    'snmpd',
    ['-f', '-Lo', '-C', '-c', paths.snmpdConf, '-I', '-ifTable,ifXTable,interfaces'],
    {
      stdio: ['ignore', out, out],
      env: {
        PATH: process.env.PATH ?? '/usr/bin:/bin',
        SNMP_PERSISTENT_DIR: `${lab.stateDir}/snmp`,
      },
    },
  );
  snmpd.on('exit', (code, sig) => log(`snmpd exited (${code ?? sig})`));
}

function serveLines(path: string, onLine: (line: string, sock: Socket) => void): Server {
  rmSync(path, { force: true });
  const server = createServer((sock) => {
    sock.on('error', () => {});
    const rl = createInterface({ input: sock });
    rl.on('line', (line) => onLine(line, sock));
  });
  server.listen(path);
  return server;
}

const mib = buildMib(equipment);
const sessions = new WeakMap<Socket, PassPersistSession>();
const agentServer = serveLines(paths.agent, (line, sock) => {
  let s = sessions.get(sock);
  if (!s) {
    s = new PassPersistSession(mib, (text) => sock.write(text), AGENT_SUBTREES);
    sessions.set(sock, s);
  }
  s.line(line);
});

async function control(req: { op?: string; [k: string]: unknown }): Promise<unknown> {
  switch (req.op) {
    case 'status':
      return equipment.status(consoles);
    case 'power':
      await equipment.powerBoard(String(req.board), String(req.action) as 'on' | 'off' | 'cycle');
      return { ok: true };
    case 'port':
      await equipment.setCable(String(req.cable), req.admin === 'up');
      return { ok: true };
    case 'shutdown':
      setImmediate(() => void shutdown(0));
      return { ok: true };
    default:
      throw new Error(`unknown op ${String(req.op)}`);
  }
}

const controlServer = serveLines(paths.control, (line, sock) => {
  let req: { op?: string };
  try {
    req = JSON.parse(line);
  } catch {
    sock.write(`${JSON.stringify({ error: 'bad JSON' })}\n`);
    return;
  }
  control(req).then(
    (result) => sock.write(`${JSON.stringify({ result })}\n`),
    (err: Error) => sock.write(`${JSON.stringify({ error: err.message })}\n`),
  );
});

let stopping = false;
async function shutdown(code: number): Promise<void> {
  if (stopping) return;
  stopping = true;
  log('shutting down');
  for (const c of consoles.values()) c.stop();
  await Promise.all([...runners.values()].map((r) => r.powerOff().catch(() => {})));
  snmpd?.kill('SIGKILL');
  agentServer.close();
  controlServer.close();
  process.exit(code);
}
process.on('SIGTERM', () => void shutdown(0));
process.on('SIGINT', () => void shutdown(0));

/** True once the agent answers a get; the community stays off every command line (`ps`). */
async function snmpAnswers(host: string, community: string): Promise<boolean> {
  const client = new SnmpClient({ host, community, timeouts: [300] });
  try {
    await client.getString('.1.3.6.1.2.1.1.5.0');
    return true;
  } catch {
    return false;
  } finally {
    client.close();
  }
}

async function main(): Promise<void> {
  writeFileSync(paths.supervisorPid, `${process.pid}\n`);
  const started = Date.now();
  for (const c of consoles.values()) c.start();
  startSnmpd();
  await Promise.all([...runners.values()].map((r) => r.powerOn()));
  const deadline = (lab.virtual?.bootMs ?? 2000) + 15_000;
  const ro = [...communities(lab).read][0] ?? 'public';
  await Promise.all([
    ...[...runners.values()].map((r) =>
      waitFor(
        `${r.host.name} boot`,
        async () =>
          (r.host.role === 'board' ? r.state === 'on' : true) && (await tcpOpen(r.host.mgmtIp, 22)),
        deadline,
      ),
    ),
    ...equipment.agentAddresses.map((a) =>
      waitFor(`SNMP agent on ${a}`, () => snmpAnswers(a, ro), 10_000, 50),
    ),
  ]);
  announce({ pid: process.pid, startedAt: started, readyAt: Date.now() });
  log(`ready in ${Date.now() - started} ms`);
}

/** The ready file, whole or not at all: `vlabUp` polls for it and parses what it finds. */
function announce(ready: object): void {
  const tmp = `${paths.ready}.${process.pid}`;
  writeFileSync(tmp, `${JSON.stringify(ready)}\n`);
  renameSync(tmp, paths.ready);
}

main().catch((err: Error) => {
  log(`failed: ${err.message}`);
  announce({ error: err.message });
  void shutdown(1);
});
