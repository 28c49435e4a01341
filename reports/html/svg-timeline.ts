/**
 * The fault-band plot (after Jepsen's): per-connection progress lines over
 * time, each injected fault a shaded band, the longest stall highlighted, and
 * role changes as labelled vertical rules. Plain SVG, no script.
 */
import { clock, ms } from '../format.ts';
import { longestStall } from '../progress.ts';
import type { RoleChange, Sample } from '../results-schema.ts';
import { xmlAttr as esc } from '../xml.ts';

export interface Band {
  from: number;
  to: number;
  label: string;
  status: string;
  iteration: number;
  href?: string;
}

export interface TimelineChart {
  id: string;
  title: string;
  from: number;
  to: number;
  series: Array<{ connection: string; color: string; samples: readonly Sample[] }>;
  bands: Band[];
  roleChanges: readonly RoleChange[];
  /** Highlight the longest stall inside [from, to] (off for the whole-run overview). */
  highlightStallAfter?: number;
  /** Plot bytes moved since `from` (a fault close-up) or cumulative bytes (the overview). */
  relative: boolean;
  /** Label role rules with the board alone (the overview shows only changes to active). */
  boardOnlyLabels?: boolean;
  /** Time shown as 0 on the x axis of a close-up (the inject); absent: run clock. */
  origin?: number;
}

const W = 1000;
const H = 290;
const M = { left: 62, right: 16, top: 46, bottom: 34 };
const PW = W - M.left - M.right;
const PH = H - M.top - M.bottom;

function niceStep(span: number, target: number): number {
  const raw = span / target;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const n = raw / mag;
  return (n < 1.5 ? 1 : n < 3 ? 2 : n < 7 ? 5 : 10) * mag;
}

function byteScale(max: number): { div: number; unit: string } {
  if (max >= 2e9) return { div: 1e9, unit: 'GB' };
  if (max >= 2e6) return { div: 1e6, unit: 'MB' };
  return { div: 1e3, unit: 'kB' };
}

function valueAt(samples: readonly Sample[], t: number): number {
  let v = 0;
  for (const s of samples) {
    if (s[0] > t) break;
    v = s[1];
  }
  return v;
}

function roleClass(to: RoleChange['to']): string {
  return to === 'active' ? 'role-active' : to === 'down' ? 'role-down' : 'role-other';
}

export function renderTimeline(c: TimelineChart): string {
  const span = Math.max(1, c.to - c.from);
  const x = (t: number) => M.left + ((t - c.from) / span) * PW;
  const visible = c.series.map((s) => {
    const base = c.relative ? valueAt(s.samples, c.from) : 0;
    const pts = s.samples.filter((p) => p[0] >= c.from && p[0] <= c.to);
    const first: Sample = [c.from, valueAt(s.samples, c.from)];
    return { ...s, base, pts: [first, ...pts] };
  });
  const maxBytes = Math.max(1, ...visible.flatMap((s) => s.pts.map((p) => p[1] - s.base)));
  const { div, unit } = byteScale(maxBytes);
  const yStep = niceStep(maxBytes / div, 4);
  const yMax = Math.ceil(maxBytes / div / yStep) * yStep;
  const y = (b: number) => M.top + PH - (b / div / yMax) * PH;
  const out: string[] = [];
  out.push(
    `<svg class="timeline" id="${esc(c.id)}" viewBox="0 0 ${W} ${H}" role="img" aria-label="${esc(c.title)}" xmlns="http://www.w3.org/2000/svg">`,
  );
  out.push(`<rect class="plot-bg" x="${M.left}" y="${M.top}" width="${PW}" height="${PH}"/>`);
  // Grid and axes.
  for (let v = 0; v <= yMax + 1e-9; v += yStep) {
    const yy = y(v * div).toFixed(1);
    out.push(`<line class="grid" x1="${M.left}" x2="${W - M.right}" y1="${yy}" y2="${yy}"/>`);
    out.push(
      `<text class="tick" x="${M.left - 6}" y="${yy}" dy="0.32em" text-anchor="end">${+v.toFixed(3)}</text>`,
    );
  }
  out.push(
    `<text class="axis-label" transform="translate(14 ${M.top + PH / 2}) rotate(-90)" text-anchor="middle">${c.relative ? 'moved since start of view' : 'bytes acknowledged'} (${unit})</text>`,
  );
  const xStep = niceStep(span, 9);
  const origin = c.origin ?? 0;
  for (let t = origin + Math.ceil((c.from - origin) / xStep) * xStep; t <= c.to; t += xStep) {
    const xx = x(t).toFixed(1);
    const rel = (t - origin) / 1000;
    const label =
      c.origin === undefined
        ? clock(t).replace(/\.\d+$/, '')
        : `${rel > 0 ? '+' : rel < 0 ? '−' : ''}${Math.abs(rel).toFixed(xStep < 1000 ? 1 : 0)} s`;
    out.push(`<line class="grid" x1="${xx}" x2="${xx}" y1="${M.top}" y2="${M.top + PH}"/>`);
    out.push(
      `<text class="tick" x="${xx}" y="${M.top + PH + 16}" text-anchor="middle">${label}</text>`,
    );
  }
  // Fault bands, under the lines.
  for (const b of c.bands) {
    const x0 = x(Math.max(b.from, c.from));
    const w = Math.max(3, x(Math.min(b.to, c.to)) - x0);
    const rect = `<rect class="fault-band band-${esc(b.status)}" data-iteration="${b.iteration}" x="${x0.toFixed(1)}" y="${M.top}" width="${w.toFixed(1)}" height="${PH}"><title>${esc(b.label)}</title></rect>`;
    const text =
      c.bands.length > 1
        ? `<text class="band-label" x="${(x0 + w / 2).toFixed(1)}" y="${M.top + 12}" text-anchor="middle">${b.iteration}</text>`
        : `<text class="band-label" x="${(x0 + 4).toFixed(1)}" y="${M.top + 13}">${esc(b.label)}</text>`;
    out.push(b.href ? `<a href="${esc(b.href)}">${rect}${text}</a>` : rect + text);
  }
  // The longest stall.
  if (c.highlightStallAfter !== undefined) {
    let worst: { conn: string; at: [number, number] } | null = null;
    for (const s of visible) {
      const st = longestStall(s.samples, c.highlightStallAfter, c.to);
      if (st && (!worst || st[1] - st[0] > worst.at[1] - worst.at[0]))
        worst = { conn: s.connection, at: st };
    }
    if (worst) {
      const x0 = x(worst.at[0]);
      const x1 = x(worst.at[1]);
      out.push(
        `<rect class="stall" x="${x0.toFixed(1)}" y="${M.top}" width="${Math.max(2, x1 - x0).toFixed(1)}" height="${PH}"><title>longest stall ${ms(worst.at[1] - worst.at[0])} (${esc(worst.conn)})</title></rect>`,
        `<text class="stall-label" x="${(x1 + 4).toFixed(1)}" y="${M.top + 28}">stall ${ms(worst.at[1] - worst.at[0])}</text>`,
      );
    }
  }
  // Progress lines.
  for (const s of visible) {
    const d = s.pts
      .map((p, i) => `${i ? 'L' : 'M'}${x(p[0]).toFixed(1)} ${y(p[1] - s.base).toFixed(1)}`)
      .join('');
    out.push(
      `<path class="progress" data-connection="${esc(s.connection)}" stroke="${s.color}" d="${d}"><title>${esc(s.connection)}</title></path>`,
    );
  }
  // Role changes, labels stacked so they do not overlap.
  const rowsEnd: number[] = [];
  for (const r of c.roleChanges.filter((r) => r.time >= c.from && r.time <= c.to)) {
    const xx = x(r.time);
    const label = c.boardOnlyLabels ? r.board : `${r.board} ${r.to}`;
    const width = label.length * 6.2;
    let row = rowsEnd.findIndex((end) => end < xx - 2);
    if (row < 0) row = rowsEnd.push(0) - 1;
    rowsEnd[row] = xx + width;
    const ly = M.top - 6 - (row % 3) * 12;
    out.push(
      `<line class="role ${roleClass(r.to)}" x1="${xx.toFixed(1)}" x2="${xx.toFixed(1)}" y1="${ly + 2}" y2="${M.top + PH}"><title>${esc(`${clock(r.time)} ${r.board}: ${r.from} → ${r.to}`)}</title></line>`,
      `<text class="role-label ${roleClass(r.to)}" x="${(xx + 2).toFixed(1)}" y="${ly}">${esc(label)}</text>`,
    );
  }
  out.push(`<rect class="plot-frame" x="${M.left}" y="${M.top}" width="${PW}" height="${PH}"/>`);
  out.push('</svg>');
  return out.join('\n');
}
