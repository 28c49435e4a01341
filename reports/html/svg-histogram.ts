/** Histogram of the longest stall per fault over the run, with the check's bound. */
import { ms } from '../format.ts';
import { xmlAttr as esc } from '../xml.ts';

const W = 1000;
const H = 230;
const M = { left: 52, right: 16, top: 18, bottom: 40 };
const PW = W - M.left - M.right;
const PH = H - M.top - M.bottom;

function binWidth(max: number): number {
  const raw = max / 14;
  const mag = 10 ** Math.floor(Math.log10(Math.max(raw, 1)));
  const n = raw / mag;
  return (n <= 1 ? 1 : n <= 2 ? 2 : n <= 2.5 ? 2.5 : n <= 5 ? 5 : 10) * mag;
}

export function renderHistogram(stalls: readonly number[], maxStallMs?: number): string {
  if (stalls.length === 0) return '<p class="muted">No stall was measured in this run.</p>';
  const top = Math.max(...stalls, maxStallMs ?? 0, 1);
  const width = binWidth(top);
  const bins = Math.ceil((top + 1e-9) / width) + (maxStallMs !== undefined ? 1 : 0);
  const counts = new Array<number>(bins).fill(0);
  for (const s of stalls) counts[Math.min(bins - 1, Math.floor(s / width))]! += 1;
  const yMax = Math.max(...counts);
  const bw = PW / bins;
  const x = (v: number) => M.left + (v / (bins * width)) * PW;
  const y = (n: number) => M.top + PH - (n / yMax) * PH;
  const out = [
    `<svg class="histogram" viewBox="0 0 ${W} ${H}" role="img" aria-label="histogram of stalls" xmlns="http://www.w3.org/2000/svg">`,
    `<rect class="plot-bg" x="${M.left}" y="${M.top}" width="${PW}" height="${PH}"/>`,
  ];
  const yStep = Math.max(1, Math.ceil(yMax / 4));
  for (let n = 0; n <= yMax; n += yStep) {
    out.push(
      `<line class="grid" x1="${M.left}" x2="${W - M.right}" y1="${y(n).toFixed(1)}" y2="${y(n).toFixed(1)}"/>`,
      `<text class="tick" x="${M.left - 6}" y="${y(n).toFixed(1)}" dy="0.32em" text-anchor="end">${n}</text>`,
    );
  }
  counts.forEach((n, i) => {
    const bx = M.left + i * bw;
    if (n > 0) {
      const over = maxStallMs !== undefined && (i + 1) * width > maxStallMs;
      out.push(
        `<rect class="bar${over ? ' bar-over' : ''}" x="${(bx + 1).toFixed(1)}" y="${y(n).toFixed(1)}" width="${(bw - 2).toFixed(1)}" height="${(M.top + PH - y(n)).toFixed(1)}"><title>${esc(`${ms(i * width)}–${ms((i + 1) * width)}: ${n}`)}</title></rect>`,
        `<text class="bar-count" x="${(bx + bw / 2).toFixed(1)}" y="${(y(n) - 4).toFixed(1)}" text-anchor="middle">${n}</text>`,
      );
    }
    if (i % Math.ceil(bins / 10) === 0) {
      out.push(
        `<text class="tick" x="${bx.toFixed(1)}" y="${M.top + PH + 15}" text-anchor="middle">${ms(i * width)}</text>`,
      );
    }
  });
  out.push(
    `<text class="axis-label" x="${M.left + PW / 2}" y="${H - 4}" text-anchor="middle">longest stall per fault</text>`,
  );
  if (maxStallMs !== undefined) {
    const bx = x(maxStallMs).toFixed(1);
    out.push(
      `<line class="limit" x1="${bx}" x2="${bx}" y1="${M.top}" y2="${M.top + PH}"/>`,
      `<text class="limit-label" x="${bx}" y="${M.top + 12}" dx="-4" text-anchor="end">max stall ${ms(maxStallMs)}</text>`,
    );
  }
  out.push(
    `<rect class="plot-frame" x="${M.left}" y="${M.top}" width="${PW}" height="${PH}"/>`,
    '</svg>',
  );
  return out.join('\n');
}
