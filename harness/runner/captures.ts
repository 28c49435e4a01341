/**
 * tcpdump on every capture point of the lab, through the capture driver
 * (drivers/capture): started before the traffic, stopped cleanly at the end
 * (its last buffer written) and fetched with tcpdump's statistics beside
 * each file. The driver also stops tcpdump when the SSH channel's input
 * ends, so a runner that dies outright leaves no capture running.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { TcpdumpCapture } from '../../drivers/capture/tcpdump.ts';
import type { CapturePoint } from '../lab/schema.ts';
import { messageOf, RunnerError } from './errors.ts';
import type { LabAccess } from './lab-access.ts';
import type { Timeline } from './timeline.ts';

export interface RunningCapture {
  point: CapturePoint;
  capture: TcpdumpCapture;
}

/**
 * Start tcpdump on every point (traffic to and from `filterHost`) and wait
 * until each listens. Those that started are handed to `started` before any
 * failure is thrown, so the caller can still stop them.
 */
export async function startCaptures(
  lab: LabAccess,
  points: CapturePoint[],
  filterHost: string,
  timeline: Timeline,
  started: (caps: RunningCapture[]) => void,
): Promise<void> {
  const caps = points.map((point) => ({
    point,
    capture: new TcpdumpCapture(lab.host(point.host).shellDriver(), {
      host: point.host,
      iface: point.iface,
      filter: `host ${filterHost}`,
      remoteDir: '/var/tmp',
      startTimeoutMs: 15_000,
    }),
  }));
  const outcomes = await Promise.allSettled(
    caps.map(async (c) => {
      await c.capture.start();
      timeline.add('harness', 'capture.start', {
        capture: c.point.name,
        host: c.point.host,
        iface: c.point.iface,
      });
    }),
  );
  started(caps.filter((_, i) => outcomes[i]!.status === 'fulfilled'));
  const failed = outcomes.findIndex((o) => o.status === 'rejected');
  if (failed >= 0)
    throw new RunnerError(
      'RUN_CAPTURE',
      `tcpdump on ${caps[failed]!.point.host} did not start: ${messageOf((outcomes[failed] as PromiseRejectedResult).reason)}`,
    );
}

/** A fetched capture file and the lab host it was taken on. */
export interface FetchedCapture {
  path: string;
  host: string;
}

/** Stop every capture, fetch the files into `dir` (with a .stats sidecar) and remove them remotely. */
export async function stopCaptures(
  caps: RunningCapture[],
  dir: string,
  timeline: Timeline,
): Promise<FetchedCapture[]> {
  const stopped = await Promise.allSettled(caps.map((c) => c.capture.stop(8000)));
  const files: FetchedCapture[] = [];
  for (const [i, c] of caps.entries()) {
    const outcome = stopped[i]!;
    if (outcome.status === 'rejected')
      timeline.add('harness', 'capture.stop-failed', {
        capture: c.point.name,
        message: messageOf(outcome.reason),
      });
    const local = join(dir, `${c.point.name}.pcap`);
    try {
      const summary = await c.capture.fetch(local);
      writeFileSync(`${local}.stats`, c.capture.report);
      files.push({ path: local, host: c.point.host });
      timeline.add('harness', 'capture.fetched', {
        capture: c.point.name,
        bytes: summary.bytes,
        packets: summary.packets,
      });
    } catch (err) {
      timeline.add('harness', 'capture.lost', { capture: c.point.name, message: messageOf(err) });
    }
  }
  return files;
}
