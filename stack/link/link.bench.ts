/**
 * Frames per second through a real TAP, in a namespace of its own:
 *  - read: the kernel sends UDP out of the TAP (a generator process), we read;
 *  - write: we write UDP frames to the kernel, which counts them (rx_packets);
 *  - round trip: `ping -f` from the kernel to the stack's ICMP responder.
 * Run as root: npm run bench:link
 */
import { execFileSync, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { cpus, release } from 'node:os';
import { IpInterface } from '../ip/interface.ts';
import {
  EtherType,
  encodeIpv4,
  IpProtocol,
  parseIpv4,
  parseMac,
  writeEthernetHeader,
} from '../wire/index.ts';
import { TapLink } from './tap-link.ts';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 3);
const TAP = 'hlb0';
const KERNEL_IP = '198.18.4.1';
const STACK_IP = '198.18.4.2';
const STACK_MAC = '02:00:5e:10:04:02';

if (process.getuid?.() !== 0) {
  console.error('bench:link needs root (it creates a network namespace and a TAP device)');
  process.exit(2);
}

if (!process.env.HL_BENCH_INNER) {
  const ns = `hlbench-${process.pid}`;
  execFileSync('ip', ['netns', 'add', ns]);
  try {
    execFileSync(
      'ip',
      ['netns', 'exec', ns, process.execPath, ...process.execArgv, import.meta.filename],
      {
        stdio: 'inherit',
        env: { ...process.env, HL_BENCH_INNER: '1' },
      },
    );
  } finally {
    execFileSync('ip', ['netns', 'del', ns]);
  }
} else {
  await inner();
}

function stat(name: string): number {
  return Number(readFileSync(`/sys/class/net/${TAP}/statistics/${name}`, 'utf8'));
}

function rate(n: number, ms: number): string {
  return `${Math.round((n * 1000) / ms).toLocaleString('en')} frames/s`;
}

async function inner(): Promise<void> {
  const cpu = cpus();
  console.log(
    `machine: ${cpu[0]?.model ?? 'unknown cpu'}, ${cpu.length} cores, node ${process.version}, linux ${release()}`,
  );
  const link = TapLink.open(TAP, { up: true });
  execFileSync('ip', ['addr', 'add', `${KERNEL_IP}/24`, 'dev', TAP]);
  execFileSync('ip', [
    'neigh',
    'replace',
    STACK_IP,
    'lladdr',
    STACK_MAC,
    'nud',
    'permanent',
    'dev',
    TAP,
  ]);
  const kernelMac = parseMac(readFileSync(`/sys/class/net/${TAP}/address`, 'utf8').trim());

  // read: a generator process makes the kernel send UDP datagrams out of the TAP
  let read = 0;
  link.onFrames((frames) => {
    read += frames.length;
  });
  const txBefore = stat('tx_packets');
  const dropBefore = stat('tx_dropped');
  const gen = spawn(process.execPath, ['-e', generatorSource(STACK_IP, SECONDS * 1000)], {
    stdio: 'inherit',
  });
  const t0 = performance.now();
  await new Promise((r) => gen.once('exit', r));
  await new Promise((r) => setTimeout(r, 100)); // drain
  const readMs = performance.now() - t0;
  const offered = stat('tx_packets') - txBefore;
  const kernelDropped = stat('tx_dropped') - dropBefore;
  console.log(
    `read:  ${rate(read, readMs)} (${read} frames read of ${offered} the kernel queued; ${kernelDropped} more dropped by the kernel while the TAP queue was full)`,
  );

  // write: UDP frames to the kernel's address (port 9, nobody listens: the kernel counts and drops them)
  link.onFrames(() => {});
  const frame = udpFrame(kernelMac);
  const rxBefore = stat('rx_packets');
  let written = 0;
  let refused = 0;
  const w0 = performance.now();
  const wEnd = w0 + SECONDS * 1000;
  while (performance.now() < wEnd) {
    for (let i = 0; i < 1000; i++) {
      if (link.send(frame)) written++;
      else refused++;
    }
    await new Promise((r) => setImmediate(r));
  }
  const writeMs = performance.now() - w0;
  const accepted = stat('rx_packets') - rxBefore;
  console.log(
    `write: ${rate(written, writeMs)} (${written} written, ${refused} refused; kernel rx_packets +${accepted})`,
  );

  // round trip through the whole receive path: kernel ping -f against the stack's ICMP responder
  const ip = new IpInterface(
    { address: parseIpv4(STACK_IP), prefixLength: 24, mac: parseMac(STACK_MAC) },
    (f) => link.send(f),
  );
  link.onFrames((frames) => {
    const now = Math.floor(performance.now());
    for (const f of frames) ip.receive(f, now);
  });
  const count = 20000 * SECONDS;
  const p0 = performance.now();
  const out = await new Promise<string>((resolve) => {
    const ping = spawn('ping', [
      '-f',
      '-q',
      '-c',
      String(count),
      '-w',
      String(SECONDS * 4),
      STACK_IP,
    ]);
    let text = '';
    ping.stdout.on('data', (d: Buffer) => {
      text += d.toString();
    });
    ping.once('exit', () => resolve(text));
  });
  const pingMs = performance.now() - p0;
  const received = Number(/(\d+) received/.exec(out)?.[1] ?? 0);
  const rtt = /= [\d.]+\/([\d.]+)\//.exec(out)?.[1];
  console.log(
    `ping -f: ${rate(received, pingMs).replace('frames', 'round trips')} (${received}/${count} replies, avg rtt ${rtt} ms)`,
  );
  link.close();
}

function udpFrame(dstMac: Uint8Array): Uint8Array {
  const udp = new Uint8Array(8 + 18);
  udp.set([0x9c, 0x40, 0, 9, 0, udp.length, 0, 0]); // checksum 0: none (allowed over IPv4)
  const ipPacket = encodeIpv4(
    { src: parseIpv4(STACK_IP), dst: parseIpv4(KERNEL_IP), protocol: IpProtocol.UDP },
    udp,
  );
  const frame = new Uint8Array(14 + ipPacket.length);
  writeEthernetHeader(frame, dstMac, parseMac(STACK_MAC), EtherType.IPV4);
  frame.set(ipPacket, 14);
  return frame;
}

function generatorSource(dst: string, ms: number): string {
  return `
const s = require('node:dgram').createSocket('udp4');
const buf = Buffer.alloc(18);
const end = Date.now() + ${ms};
let outstanding = 0;
function pump() {
  while (outstanding < 512) { outstanding++; s.send(buf, 9, '${dst}', () => { outstanding--; }); }
  if (Date.now() < end) setImmediate(pump); else setTimeout(() => s.close(), 50);
}
pump();`;
}
