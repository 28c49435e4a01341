/** TCP options: MSS, window scale, SACK-permitted, SACK blocks, timestamps, NOP/EOL; unknown ones skipped. */
import { type Decoded, fail, ok, put16, put32, u16, u32 } from './result.ts';
import type { SackBlock, TcpOptions } from './tcp-types.ts';

export const TcpOptionKind = {
  EOL: 0,
  NOP: 1,
  MSS: 2,
  WSCALE: 3,
  SACK_PERMITTED: 4,
  SACK: 5,
  TIMESTAMP: 8,
} as const;

/** Fixed lengths of the options we understand (SACK is 2 + 8n). */
const FIXED_LENGTH: Record<number, number> = { 2: 4, 3: 3, 4: 2, 8: 10 };

export const MAX_OPTION_SPACE = 40;

/** Parse the options area `bytes[start, end)`; `start` is used for error offsets. */
export function decodeTcpOptions(
  bytes: Uint8Array,
  start: number,
  end: number,
): Decoded<TcpOptions> {
  const options: TcpOptions = {};
  let i = start;
  while (i < end) {
    const kind = bytes[i]!;
    if (kind === TcpOptionKind.EOL) break;
    if (kind === TcpOptionKind.NOP) {
      i++;
      continue;
    }
    if (i + 1 >= end) return fail('BAD_OPTION', `TCP option ${kind} has no length byte`, i);
    const len = bytes[i + 1]!;
    if (len < 2 || i + len > end) {
      return fail(
        'BAD_OPTION',
        `TCP option ${kind} length ${len} overruns the options area`,
        i + 1,
      );
    }
    const fixed = FIXED_LENGTH[kind];
    if (fixed !== undefined && len !== fixed) {
      return fail('BAD_OPTION', `TCP option ${kind} length ${len}, expected ${fixed}`, i + 1);
    }
    switch (kind) {
      case TcpOptionKind.MSS:
        options.mss = u16(bytes, i + 2);
        break;
      case TcpOptionKind.WSCALE:
        options.wscale = bytes[i + 2]!;
        break;
      case TcpOptionKind.SACK_PERMITTED:
        options.sackPermitted = true;
        break;
      case TcpOptionKind.SACK: {
        if ((len - 2) % 8 !== 0 || len === 2) {
          return fail('BAD_OPTION', `TCP SACK option length ${len} is not 2 + 8n`, i + 1);
        }
        const blocks: SackBlock[] = [];
        for (let b = i + 2; b < i + len; b += 8) {
          blocks.push({ left: u32(bytes, b), right: u32(bytes, b + 4) });
        }
        options.sack = blocks;
        break;
      }
      case TcpOptionKind.TIMESTAMP:
        options.timestamp = { value: u32(bytes, i + 2), echo: u32(bytes, i + 6) };
        break;
      default:
        break; // unknown option: skipped by its length
    }
    i += len;
  }
  return ok(options);
}

/**
 * Lay the options out as Linux does (MSS, SACK-permitted+timestamps, NOP+window
 * scale), padded with NOPs to a multiple of 4. SACK blocks beyond the 40-byte
 * option space are left out, newest first being the caller's order.
 */
export function encodeTcpOptions(o: TcpOptions): Uint8Array {
  const out = new Uint8Array(MAX_OPTION_SPACE);
  let n = 0;
  if (o.mss !== undefined) {
    out[n] = TcpOptionKind.MSS;
    out[n + 1] = 4;
    put16(out, n + 2, o.mss);
    n += 4;
  }
  if (o.timestamp) {
    if (o.sackPermitted) {
      out[n++] = TcpOptionKind.SACK_PERMITTED;
      out[n++] = 2;
    } else {
      out[n++] = TcpOptionKind.NOP;
      out[n++] = TcpOptionKind.NOP;
    }
    out[n] = TcpOptionKind.TIMESTAMP;
    out[n + 1] = 10;
    put32(out, n + 2, o.timestamp.value);
    put32(out, n + 6, o.timestamp.echo);
    n += 10;
  } else if (o.sackPermitted) {
    out[n++] = TcpOptionKind.NOP;
    out[n++] = TcpOptionKind.NOP;
    out[n++] = TcpOptionKind.SACK_PERMITTED;
    out[n++] = 2;
  }
  if (o.wscale !== undefined) {
    out[n++] = TcpOptionKind.NOP;
    out[n] = TcpOptionKind.WSCALE;
    out[n + 1] = 3;
    out[n + 2] = o.wscale;
    n += 3;
  }
  if (o.sack && o.sack.length > 0) {
    const room = Math.floor((MAX_OPTION_SPACE - n - 4) / 8);
    const blocks = o.sack.slice(0, Math.max(0, room));
    if (blocks.length > 0) {
      out[n++] = TcpOptionKind.NOP;
      out[n++] = TcpOptionKind.NOP;
      out[n] = TcpOptionKind.SACK;
      out[n + 1] = 2 + 8 * blocks.length;
      n += 2;
      for (const b of blocks) {
        put32(out, n, b.left);
        put32(out, n + 4, b.right);
        n += 8;
      }
    }
  }
  while (n % 4 !== 0) out[n++] = TcpOptionKind.NOP;
  return out.subarray(0, n);
}
