/**
 * Child process for tap-link.net.test.ts (run inside a namespace): opens a
 * TAP, reports the frames it reads, writes frames on request, closes on
 * request and must then exit by itself (close never keeps the process alive).
 */
import { createInterface } from 'node:readline';
import { setFrameGsoSize } from '../wire/offload.ts';
import { TapLink } from './tap-link.ts';

const name = process.argv[2] ?? 'hlt0';
const link = TapLink.open(name, { up: true });
const say = (msg: Record<string, unknown>) => process.stdout.write(`${JSON.stringify(msg)}\n`);
link.onFrames((frames) => {
  for (const f of frames) say({ frame: Buffer.from(f).toString('hex') });
});
say({ ready: link.name });
const input = createInterface({ input: process.stdin });
input.on('line', (line) => {
  const cmd = JSON.parse(line) as { write?: string; gso?: number; tso?: boolean; close?: boolean };
  if (cmd.tso) say({ tso: link.enableTso() });
  if (cmd.write) {
    const frame = Buffer.from(cmd.write, 'hex');
    if (cmd.gso) setFrameGsoSize(frame, cmd.gso);
    say({ wrote: link.send(frame) });
  }
  if (cmd.close) {
    link.close();
    input.close();
    process.stdin.destroy(); // nothing else may keep the process alive but the TAP
    say({ closed: true });
  }
});
