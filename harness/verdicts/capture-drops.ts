/**
 * Packets the capturing host lost. Classic pcap files do not record them, so
 * they come from `--drops N` or a sidecar `<capture>.stats` file holding
 * tcpdump's closing lines (tcpdump prints them on stderr when stopped):
 *   1234 packets captured
 *   1240 packets received by filter
 *   6 packets dropped by kernel
 * pcapng files carry them in interface statistics blocks.
 */
import { readFile } from 'node:fs/promises';

export function parseTcpdumpStats(text: string): number | undefined {
  let found = false;
  let dropped = 0;
  for (const m of text.matchAll(/(\d+)\s+packets?\s+dropped\s+by\s+(kernel|interface)/g)) {
    found = true;
    dropped += Number(m[1]);
  }
  return found ? dropped : undefined;
}

export async function readStatsSidecar(capture: string): Promise<number | undefined> {
  try {
    return parseTcpdumpStats(await readFile(`${capture}.stats`, 'utf8'));
  } catch {
    return undefined;
  }
}
