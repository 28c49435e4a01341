/**
 * Capture analysis throughput and memory, beside tshark on the same file.
 * Generates a capture of at least 500 MB (interleaved bulk connections with
 * ACKs and some retransmissions), analyses it and a quarter-size prefix in
 * child processes (peak RSS from getrusage), runs
 * `tshark -r FILE -T fields -e tcp.seq` (peak RSS from /proc VmHWM), prints
 * the figures and the machine, and deletes the files.
 */
import { spawn } from 'node:child_process';
import {
  closeSync,
  createReadStream,
  createWriteStream,
  mkdtempSync,
  openSync,
  readFileSync,
  rmSync,
  statSync,
  writeSync,
} from 'node:fs';
import { cpus, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { encodeTcpFrame, parseIpv4, parseMac } from '../../stack/wire/index.ts';
import { TcpFlag } from '../../stack/wire/tcp-types.ts';
import { pcapFileHeader, writePcapRecord } from '../pcap/writer.ts';
import { analyzeCapture } from './analyze.ts';

const TARGET = Number(process.env.BENCH_MB ?? 512) << 20;
const CONNECTIONS = 8;
const MSS = 1448;

async function child(file: string): Promise<void> {
  const started = performance.now();
  const report = await analyzeCapture(file, { windows: [], drops: 0 });
  const ms = performance.now() - started;
  const out = {
    ms,
    maxRssKb: process.resourceUsage().maxRSS,
    frames: report.frames,
    verdict: report.verdict,
    retransmissions: report.totals.retransmissions,
  };
  process.stdout.write(`${JSON.stringify(out)}\n`);
}

/** Writes the capture; returns the offset of a record boundary near a quarter of it. */
function generate(file: string): { bytes: number; frames: number; quarter: number } {
  const fd = openSync(file, 'w');
  const buf = Buffer.alloc(8 << 20);
  let at = 0;
  let written = 0;
  let frames = 0;
  let quarter = 0;
  const flush = () => {
    writeSync(fd, buf, 0, at);
    written += at;
    at = 0;
  };
  pcapFileHeader().copy(buf, 0);
  at = 24;
  const server = parseIpv4('198.18.7.1');
  const macs = { s: parseMac('02:00:00:00:07:01'), c: parseMac('02:00:00:00:07:02') };
  const payload = new Uint8Array(MSS);
  for (let i = 0; i < MSS; i++) payload[i] = i % 251;
  const conns = Array.from({ length: CONNECTIONS }, (_, i) => ({
    port: 40000 + i,
    seq: (i * 0x2f000000) >>> 0,
    ack: 7,
  }));
  let timeMs = Date.UTC(2026, 10, 27, 4, 0, 0);
  const put = (data: Uint8Array) => {
    if (at + 16 + data.length > buf.length) flush();
    timeMs += 0.012;
    at += writePcapRecord(buf, at, { timeMs, data });
    frames++;
  };
  const client = parseIpv4('198.18.7.2');
  for (const c of conns) {
    put(
      encodeTcpFrame(
        { srcMac: macs.c, dstMac: macs.s, src: client, dst: server },
        {
          srcPort: c.port,
          dstPort: 5000,
          seq: c.seq,
          ack: 0,
          flags: TcpFlag.SYN,
          window: 65535,
          urgent: 0,
          options: { mss: MSS, wscale: 7 },
          payload: new Uint8Array(0),
        },
      ),
    );
    put(
      encodeTcpFrame(
        { srcMac: macs.s, dstMac: macs.c, src: server, dst: client },
        {
          srcPort: 5000,
          dstPort: c.port,
          seq: 6,
          ack: (c.seq + 1) >>> 0,
          flags: TcpFlag.SYN | TcpFlag.ACK,
          window: 65535,
          urgent: 0,
          options: { mss: MSS, wscale: 7 },
          payload: new Uint8Array(0),
        },
      ),
    );
    c.seq = (c.seq + 1) >>> 0;
  }
  let round = 0;
  while (written + at < TARGET) {
    for (const c of conns) {
      const seg = {
        srcPort: c.port,
        dstPort: 5000,
        seq: c.seq,
        ack: c.ack,
        flags: TcpFlag.ACK,
        window: 4096,
        urgent: 0,
        options: {},
        payload,
      };
      put(encodeTcpFrame({ srcMac: macs.c, dstMac: macs.s, src: client, dst: server }, seg));
      // Every 500th segment is sent again (same bytes): a retransmission to classify and compare.
      if (round % 500 === 499)
        put(encodeTcpFrame({ srcMac: macs.c, dstMac: macs.s, src: client, dst: server }, seg));
      c.seq = (c.seq + MSS) >>> 0;
      if (round % 2 === 1) {
        put(
          encodeTcpFrame(
            { srcMac: macs.s, dstMac: macs.c, src: server, dst: client },
            {
              srcPort: 5000,
              dstPort: c.port,
              seq: c.ack,
              ack: c.seq,
              flags: TcpFlag.ACK,
              window: 4096,
              urgent: 0,
              options: {},
              payload: new Uint8Array(0),
            },
          ),
        );
      }
    }
    round++;
    if (!quarter && written + at >= TARGET / 4) {
      flush();
      quarter = written;
    }
  }
  flush();
  closeSync(fd);
  return { bytes: written, frames, quarter };
}

function run(cmd: string, args: string[]): Promise<{ ms: number; stdout: string; peakKb: number }> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const proc = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'ignore'] });
    let stdout = '';
    let lines = 0;
    let peakKb = 0;
    const keepOutput = cmd === process.execPath;
    proc.stdout.on('data', (d: Buffer) => {
      if (keepOutput) stdout += d;
      else for (const b of d) if (b === 10) lines++;
    });
    const poll = setInterval(() => {
      try {
        const m = /VmHWM:\s+(\d+)/.exec(readFileSync(`/proc/${proc.pid}/status`, 'utf8'));
        if (m) peakKb = Math.max(peakKb, Number(m[1]));
      } catch {
        // exited
      }
    }, 50);
    proc.on('error', reject);
    proc.on('exit', (code) => {
      clearInterval(poll);
      if (code !== 0) reject(new Error(`${cmd} exited with ${code}`));
      else
        resolve({
          ms: performance.now() - started,
          stdout: keepOutput ? stdout : String(lines),
          peakKb,
        });
    });
  });
}

async function main(): Promise<void> {
  if (process.argv[2] === '--child') return child(process.argv[3]!);
  const dir = mkdtempSync(join(tmpdir(), 'hlv7-bench-'));
  const file = join(dir, 'bench.pcap');
  const small = join(dir, 'bench-quarter.pcap');
  try {
    console.log(
      `machine: ${cpus()[0]?.model ?? 'unknown cpu'}, ${cpus().length} cores, ${(totalmem() / 2 ** 30).toFixed(1)} GiB, node ${process.version}`,
    );
    const g0 = performance.now();
    const gen = generate(file);
    console.log(
      `generated ${(gen.bytes / 1e6).toFixed(0)} MB, ${gen.frames} frames, ${CONNECTIONS} connections in ${((performance.now() - g0) / 1000).toFixed(1)} s`,
    );
    await pipeline(createReadStream(file, { end: gen.quarter - 1 }), createWriteStream(small));
    const self = [process.execArgv, import.meta.filename, '--child'].flat();
    for (const f of [small, file]) {
      const mb = statSync(f).size / 1e6;
      const r = await run(process.execPath, [...self, f]);
      const out = JSON.parse(r.stdout) as {
        ms: number;
        maxRssKb: number;
        frames: number;
        verdict: string;
        retransmissions: number;
      };
      console.log(
        `hitless analyze ${mb.toFixed(0)} MB: ${(mb / (out.ms / 1000)).toFixed(1)} MB/s (${(out.frames / (out.ms / 1000) / 1000).toFixed(0)} kframes/s), ` +
          `peak RSS ${(out.maxRssKb / 1024).toFixed(0)} MB, verdict ${out.verdict}, ${out.retransmissions} retransmissions`,
      );
    }
    const mb = gen.bytes / 1e6;
    const t = await run('tshark', ['-r', file, '-T', 'fields', '-e', 'tcp.seq']);
    console.log(
      `tshark -T fields -e tcp.seq ${mb.toFixed(0)} MB: ${(mb / (t.ms / 1000)).toFixed(1)} MB/s, peak RSS ${(t.peakKb / 1024).toFixed(0)} MB (${t.stdout} lines)`,
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
