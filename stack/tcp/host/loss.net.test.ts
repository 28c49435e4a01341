/**
 * The stack against Linux under adversity: 5 % random loss both ways
 * (nftables numgen in the kernel's namespace), and a kernel application that
 * stops reading for 3 s (the stack must probe the zero window and resume).
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { join } from 'node:path';
import test from 'ava';
import {
  dropCounts,
  makeLab,
  netTestsRunnable,
  nsExec,
  peerResult,
  poll,
  randomDrop,
  startPeer,
  startStack,
} from './netlab.ts';

const PREFIX = `hlv3l${process.pid}`;
const MB = 1024 * 1024;

interface StreamResult {
  seed: number;
  sent: number;
  verified: number;
  mismatch: unknown;
  eof: boolean;
  error?: string;
}

if (!netTestsRunnable) {
  test('kernel loss interop (skipped: needs root and network namespaces)', (t) => {
    t.log('skipped: run as root, or under CI=true where this is a failure');
    t.pass();
  });
} else {
  test('5 % random drop both directions: echo and stream stay byte-exact', async (t) => {
    const lab = makeLab(t.teardown, `${PREFIX}d`, 47, [
      '{ kind: echo, port: 7 }',
      `{ kind: stream, port: 5001, bytes: ${3 * MB} }`,
    ]);
    await startStack(t.teardown, lab);
    randomDrop(lab, 5);
    const echo = startPeer(t.teardown, lab, {
      job: 'echo',
      host: lab.stackAddr,
      port: 7,
      bytes: 3 * MB,
    });
    const stream = startPeer(t.teardown, lab, {
      job: 'stream-client',
      host: lab.stackAddr,
      port: 5001,
      bytes: 3 * MB,
      seed: 5,
    });
    const e = await peerResult<{
      received: number;
      sentSha: string;
      receivedSha: string;
      eof: boolean;
      error?: string;
    }>(echo, 45_000, 'echo under loss');
    const [s] = await peerResult<StreamResult[]>(stream, 45_000, 'stream under loss');
    t.is(e.error, undefined);
    t.is(e.received, 3 * MB);
    t.is(e.receivedSha, e.sentSha);
    t.true(e.eof);
    t.is(s!.error, undefined);
    t.is(s!.verified, 3 * MB);
    t.is(s!.mismatch, null);
    t.true(s!.eof);
    // Both rules really dropped packets. With segmentation offload a packet here is a
    // super-segment of up to 64 KiB (each drop loses more bytes, so there are fewer of them).
    const counters = [...dropCounts(lab).matchAll(/counter packets (\d+)/g)].map((m) =>
      Number(m[1]),
    );
    t.is(counters.length, 2);
    t.true(
      counters.every((n) => n >= 8),
      `dropped in/out: ${counters.join('/')}`,
    );
  });

  test('kernel stops reading for 3 s: the stack probes the zero window, then resumes byte-exact', async (t) => {
    const lab = makeLab(t.teardown, `${PREFIX}z`, 48, [
      `{ kind: stream, port: 5001, bytes: ${4 * MB} }`,
    ]);
    await startStack(t.teardown, lab);
    // A small kernel receive buffer so the window closes soon after the app stops reading.
    nsExec(lab.ns, 'sysctl', '-q', '-w', 'net.ipv4.tcp_rmem=4096 16384 32768');
    const pcap = join(lab.dir, 'zw.pcap');
    const dump: ChildProcess = spawn(
      'ip',
      [
        'netns',
        'exec',
        lab.ns,
        'tcpdump',
        '-i',
        lab.tap,
        '-U',
        // hand over every packet at once: with segmentation offload there are few, large
        // packets, and a ring block not yet full when tcpdump is stopped would be lost
        '--immediate-mode',
        '-s',
        '96',
        '-w',
        pcap,
        'tcp port 5001',
      ],
      { stdio: ['ignore', 'ignore', 'pipe'] },
    );
    const dumpExit = new Promise<void>((r) => dump.on('exit', () => r()));
    t.teardown(() => {
      if (dump.exitCode === null && dump.pid) process.kill(dump.pid, 'SIGKILL');
    });
    let dumpErr = '';
    dump.stderr!.on('data', (c) => {
      dumpErr += String(c);
    });
    await poll(() => dumpErr.includes('listening on'), 10_000, 'tcpdump ready');
    const started = Date.now();
    const peer = startPeer(t.teardown, lab, {
      job: 'stream-client',
      host: lab.stackAddr,
      port: 5001,
      bytes: 64 * 1024,
      seed: 6,
      pauseAfter: MB,
      pauseMs: 3000,
    });
    const [r] = await peerResult<StreamResult[]>(peer, 40_000, 'stream with a paused reader');
    t.true(Date.now() - started >= 3000, 'the pause happened');
    t.is(r!.error, undefined);
    t.is(r!.verified, 4 * MB);
    t.is(r!.mismatch, null);
    t.true(r!.eof);
    dump.kill('SIGTERM');
    await dumpExit;

    // From the capture: the kernel announced a zero window, the stack kept probing while it was
    // zero, and data flowed again afterwards.
    const rows = execFileSync(
      'tshark',
      [
        '-r',
        pcap,
        '-T',
        'fields',
        '-e',
        'frame.time_relative',
        '-e',
        'ip.src',
        '-e',
        'tcp.len',
        '-e',
        'tcp.window_size_value',
      ],
      { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] },
    )
      .trim()
      .split('\n')
      .map((l) => l.split('\t'))
      .map(([time, src, len, win]) => ({
        time: Number(time),
        src,
        len: Number(len),
        win: Number(win),
      }));
    let zeroSince = -1;
    let probes = 0;
    let zeroSpan = 0;
    let dataAfter = 0;
    for (const row of rows) {
      if (row.src === lab.kernelAddr) {
        if (row.win === 0 && zeroSince < 0) zeroSince = row.time;
        if (row.win > 0 && zeroSince >= 0) {
          zeroSpan = Math.max(zeroSpan, row.time - zeroSince);
          zeroSince = -1;
        }
      } else if (row.src === lab.stackAddr) {
        if (zeroSince >= 0) probes++;
        else if (zeroSpan > 0 && row.len > 0) dataAfter++;
      }
    }
    t.true(zeroSpan >= 2, `the kernel window stayed zero for ${zeroSpan.toFixed(2)} s`);
    t.true(probes >= 2, `stack segments while the window was zero: ${probes}`);
    t.true(dataAfter > 10, 'data flowed after the window reopened');
  });
}
