/** Test fixture: Wireshark's own counts on a capture, in one tshark pass (io,stat). */
import { execFileSync } from 'node:child_process';

export interface TsharkCounts {
  rst: number;
  fin: number;
  syn: number;
  /** Frames Wireshark marks as any kind of resend: retransmission, fast, spurious, out-of-order. */
  retransmissions: number;
  zeroWindows: number;
}

const FILTERS = [
  'tcp.flags.reset==1',
  'tcp.flags.fin==1',
  'tcp.flags.syn==1',
  'tcp.analysis.retransmission || tcp.analysis.fast_retransmission || tcp.analysis.spurious_retransmission || tcp.analysis.out_of_order',
  'tcp.analysis.zero_window',
];

export function tsharkCounts(file: string): TsharkCounts {
  const out = execFileSync('tshark', ['-r', file, '-q', '-z', `io,stat,0,${FILTERS.join(',')}`], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'ignore'],
  });
  const row = out.split('\n').find((l) => l.includes('<>'));
  if (!row) throw new Error(`no io,stat row in tshark output:\n${out}`);
  const cells = row
    .split('|')
    .map((c) => c.trim())
    .filter((c) => c !== '');
  // cells: interval, then frames/bytes per filter
  const frames = FILTERS.map((_, i) => Number(cells[1 + i * 2]));
  const [rst, fin, syn, retransmissions, zeroWindows] = frames as [
    number,
    number,
    number,
    number,
    number,
  ];
  return { rst, fin, syn, retransmissions, zeroWindows };
}

/** The same counts from an analysis report's totals. */
export function ourCounts(totals: {
  rst: number;
  fin: number;
  syn: number;
  retransmissions: number;
  zeroWindows: number;
}): TsharkCounts {
  return {
    rst: totals.rst,
    fin: totals.fin,
    syn: totals.syn,
    retransmissions: totals.retransmissions,
    zeroWindows: totals.zeroWindows,
  };
}
