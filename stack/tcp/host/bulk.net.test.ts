/**
 * Bulk transfers between the stack daemon and Linux TCP over the TAP:
 * kernel client → stack echo server (50 MB, SHA-256 of the echo), and
 * stack stream client ↔ kernel stream server (50 MB each way, byte-exact).
 */
import test from 'ava';
import { makeLab, netTestsRunnable, nsExec, peerResult, startPeer, startStack } from './netlab.ts';

const PREFIX = `hlv3b${process.pid}`;
const MB = 1024 * 1024;

if (!netTestsRunnable) {
  test('kernel bulk interop (skipped: needs root and network namespaces)', (t) => {
    t.log('skipped: run as root, or under CI=true where this is a failure');
    t.pass();
  });
} else {
  test('kernel client → stack echo: 50 MB random bytes, SHA-256 of the echo matches', async (t) => {
    const lab = makeLab(t.teardown, `${PREFIX}e`, 41, ['{ kind: echo, port: 7 }']);
    const daemon = await startStack(t.teardown, lab);
    // What ships: TCP segmentation offload on the TAP, super-segments both ways.
    t.truthy(daemon.lines.find((l) => l.event === 'tcp-offload'));
    t.regex(nsExec(lab.ns, 'ethtool', '-k', lab.tap), /tcp-segmentation-offload: on/);
    const peer = startPeer(t.teardown, lab, {
      job: 'echo',
      host: lab.stackAddr,
      port: 7,
      bytes: 50 * MB,
    });
    const r = await peerResult<{
      sent: number;
      received: number;
      sentSha: string;
      receivedSha: string;
      eof: boolean;
      error?: string;
    }>(peer, 50_000, 'echo of 50 MB');
    t.is(r.error, undefined);
    t.is(r.sent, 50 * MB);
    t.is(r.received, 50 * MB);
    t.is(r.receivedSha, r.sentSha);
    t.true(r.eof, 'orderly EOF after the echo');
  });

  test('stack stream client ↔ kernel stream server: 50 MB each way, byte-exact', async (t) => {
    const lab = makeLab(t.teardown, `${PREFIX}s`, 42, [
      `{ kind: stream, connect: "198.18.42.2:5001", bytes: ${50 * MB}, seed: 4242 }`,
    ]);
    // The kernel server listens first: the daemon's client connects as it starts.
    const peer = startPeer(t.teardown, lab, { job: 'stream-server', port: 5001, bytes: 50 * MB });
    await peer.waitFor((l) => 'listening' in l, 20_000, 'kernel stream server');
    const daemon = await startStack(t.teardown, lab);
    const [r] = await peerResult<
      {
        seed: number;
        verified: number;
        sent: number;
        mismatch: unknown;
        eof: boolean;
        error?: string;
      }[]
    >(peer, 50_000, 'stream of 50 MB each way');
    t.is(r!.error, undefined);
    t.is(r!.seed, 4242);
    t.is(r!.mismatch, null);
    t.is(r!.verified, 50 * MB, 'kernel verified every byte from the stack');
    t.is(r!.sent, 50 * MB);
    t.true(r!.eof);
    const end = await daemon.waitFor(
      (l) => l.event === 'app-stream-end',
      10_000,
      'stack stream end',
    );
    t.is(end.verified, 50 * MB, 'stack verified every byte from the kernel');
    t.false(end.mismatch);
  });
}
