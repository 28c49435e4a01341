/**
 * Sender-side SACK scoreboard (RFC 2018): sequence ranges above SND.UNA the peer reported
 * holding. Used to skip them when going back after a timeout and to count them out of the
 * data in flight. Kept small and sorted; cleared on a repeated timeout in case the peer reneged.
 */
import type { SackBlock } from '../wire/tcp-types.ts';
import { seqDiff, seqGe, seqGt, seqLe, seqLt, seqMax, seqMin } from './seq.ts';
import type { Tcb } from './tcb.ts';

const MAX_RANGES = 16;

/** Merge valid blocks (inside (SND.UNA, SND.MAX]) into the scoreboard. */
export function sackUpdate(tcb: Tcb, blocks: SackBlock[]): void {
  for (const b of blocks) {
    if (!seqLt(b.left, b.right) || seqLe(b.left, tcb.sndUna) || seqGt(b.right, tcb.sndMax))
      continue;
    insert(tcb.sacked, b.left >>> 0, b.right >>> 0);
  }
  if (tcb.sacked.length > 2 * MAX_RANGES) tcb.sacked.length = 2 * MAX_RANGES;
}

function insert(s: number[], left: number, right: number): void {
  let l = left;
  let r = right;
  const out: number[] = [];
  let placed = false;
  for (let i = 0; i < s.length; i += 2) {
    const a = s[i]!;
    const b = s[i + 1]!;
    if (seqLt(b, l)) out.push(a, b);
    else if (seqGt(a, r)) {
      if (!placed) out.push(l, r);
      placed = true;
      out.push(a, b);
    } else {
      l = seqMin(l, a);
      r = seqMax(r, b);
    }
  }
  if (!placed) out.push(l, r);
  s.length = 0;
  for (const v of out) s.push(v);
}

/** Forget ranges at or below SND.UNA (after a cumulative ACK). */
export function sackPrune(tcb: Tcb): void {
  const s = tcb.sacked;
  if (s.length === 0) return;
  const out: number[] = [];
  for (let i = 0; i < s.length; i += 2) {
    const a = s[i]!;
    const b = s[i + 1]!;
    if (seqLe(b, tcb.sndUna)) continue;
    out.push(seqMax(a, tcb.sndUna), b);
  }
  tcb.sacked = out;
}

/** SACKed bytes below `seq`. */
export function sackedBelow(tcb: Tcb, seq: number): number {
  let n = 0;
  const s = tcb.sacked;
  for (let i = 0; i < s.length; i += 2) {
    const a = s[i]!;
    if (seqGe(a, seq)) break;
    n += seqDiff(seqMin(s[i + 1]!, seq), a);
  }
  return n;
}

/**
 * Where retransmission at `seq` should really start (past a SACKed range) and how many bytes
 * may follow before the next SACKed range (Infinity when none).
 */
export function sackSkip(tcb: Tcb, seq: number): { start: number; room: number } {
  let start = seq;
  const s = tcb.sacked;
  for (let i = 0; i < s.length; i += 2) {
    const a = s[i]!;
    const b = s[i + 1]!;
    if (seqLe(b, start)) continue;
    if (seqLe(a, start)) {
      start = b;
      continue;
    }
    return { start, room: seqDiff(a, start) };
  }
  return { start, room: Number.POSITIVE_INFINITY };
}
