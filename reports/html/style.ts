/** The report's only stylesheet, inlined: system fonts, no network, print rules. */
export const CSS = `
:root {
  --ink: #1f2328; --muted: #59636e; --line: #d1d9e0; --soft: #f6f8fa;
  --pass: #1a7f37; --pass-bg: #dafbe1; --fail: #cf222e; --fail-bg: #ffebe9;
  --error: #bc4c00; --error-bg: #fff1e5; --skip: #6e7781; --skip-bg: #eef1f4;
  --degraded: #9a6700; --degraded-bg: #fff8c5; --accent: #0969da;
}
* { box-sizing: border-box; }
html { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
body { margin: 0; color: var(--ink); background: #fff;
  font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "DejaVu Sans", "Liberation Sans", sans-serif; }
main { max-width: 1120px; margin: 0 auto; padding: 24px 28px 48px; }
h1 { font-size: 26px; margin: 0 0 4px; letter-spacing: -0.01em; }
h2 { font-size: 19px; margin: 36px 0 12px; padding-bottom: 6px; border-bottom: 1px solid var(--line); }
h3 { font-size: 16px; margin: 0; }
a { color: var(--accent); text-decoration: none; }
a:hover { text-decoration: underline; }
code, .mono { font-family: ui-monospace, "DejaVu Sans Mono", "Liberation Mono", monospace; font-size: 12.5px; }
.muted { color: var(--muted); }
.subtitle { color: var(--muted); margin: 0 0 18px; }
nav.toc { display: flex; flex-wrap: wrap; gap: 6px 16px; font-size: 13px; margin: 14px 0 0; }

.banner { display: flex; align-items: center; gap: 24px; padding: 18px 22px; border-radius: 10px;
  border: 1px solid; border-left-width: 10px; }
.banner.pass { background: var(--pass-bg); border-color: var(--pass); }
.banner.fail { background: var(--fail-bg); border-color: var(--fail); }
.banner.error { background: var(--error-bg); border-color: var(--error); }
.banner .verdict { font-size: 34px; font-weight: 800; letter-spacing: 0.04em; }
.banner.pass .verdict { color: var(--pass); }
.banner.fail .verdict { color: var(--fail); }
.banner.error .verdict { color: var(--error); }
.banner .explain { font-size: 15px; font-weight: 600; }
.banner .counts { display: flex; flex-wrap: wrap; gap: 8px; margin-top: 8px; }
.chip { display: inline-block; padding: 2px 10px; border-radius: 999px; font-size: 12.5px; font-weight: 600;
  background: #fff; border: 1px solid var(--line); white-space: nowrap; }

.badge { display: inline-block; padding: 1px 8px; border-radius: 6px; font-size: 12px; font-weight: 700;
  white-space: nowrap; }
.badge.pass, .verdict-ok { color: var(--pass); background: var(--pass-bg); }
.badge.fail { color: #fff; background: var(--fail); }
.badge.error { color: #fff; background: var(--error); }
.badge.skipped { color: var(--skip); background: var(--skip-bg); }
.badge.expected-degraded { color: var(--degraded); background: var(--degraded-bg); border: 1px solid #d4a72c; }
.v-drop, .v-corrupt { color: var(--fail); font-weight: 700; }
.v-stall, .v-inconclusive { color: var(--error); font-weight: 700; }

table { border-collapse: collapse; width: 100%; font-size: 13px; }
th, td { text-align: left; padding: 5px 10px; border-bottom: 1px solid var(--line); vertical-align: top; }
th { background: var(--soft); font-weight: 600; color: var(--muted); font-size: 12px; text-transform: uppercase;
  letter-spacing: 0.03em; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
.stats th, .stats td { padding: 4px 7px; }
.stats td:first-child { white-space: nowrap; }
.stats th.group { text-align: center; border-left: 2px solid #fff; }
.stats td:nth-child(3), .stats td:nth-child(8), .stats td:nth-child(13) { border-left: 1px solid var(--line); }
tr.row-fail td { background: #fff5f5; }
tr.row-error td { background: #fffaf3; }
tr.row-expected-degraded td { background: #fffdf0; }
td.zero { color: #b6bec7; }
.over { color: var(--fail); font-weight: 700; }
.better { color: var(--pass); } .worse { color: var(--fail); font-weight: 600; }

.env { display: grid; grid-template-columns: repeat(auto-fit, minmax(250px, 1fr)); gap: 10px 28px; }
.env dl { margin: 0; display: grid; grid-template-columns: max-content 1fr; gap: 4px 14px; }
.env dt { color: var(--muted); } .env dd { margin: 0; font-weight: 500; overflow-wrap: anywhere; }

.chart { margin: 8px 0 4px; }
svg { width: 100%; height: auto; display: block; font-family: inherit; }
svg .plot-bg { fill: #fff; } svg .plot-frame { fill: none; stroke: #8c959f; stroke-width: 1; }
svg .grid { stroke: #eaeef2; stroke-width: 1; }
svg .tick { font-size: 11px; fill: var(--muted); }
svg .axis-label { font-size: 11.5px; fill: var(--muted); }
svg .fault-band { fill: #8250df; fill-opacity: 0.13; stroke: #8250df; stroke-opacity: 0.35; }
svg .fault-band.band-fail { fill: var(--fail); fill-opacity: 0.16; stroke: var(--fail); }
svg .fault-band.band-expected-degraded { fill: #d4a72c; fill-opacity: 0.22; stroke: #d4a72c; }
svg .band-label { font-size: 10.5px; font-weight: 700; fill: #6639ba; }
tr.total td { border-top: 2px solid var(--line); background: var(--soft); }
svg .stall { fill: var(--fail); fill-opacity: 0.16; stroke: var(--fail); stroke-dasharray: 3 2; }
svg .stall-label { font-size: 11.5px; font-weight: 700; fill: var(--fail); }
svg text { paint-order: stroke; stroke: #fff; stroke-width: 3px; stroke-linejoin: round; }
svg .tick, svg .axis-label { stroke: none; }
svg .progress { fill: none; stroke-width: 1.8; stroke-linejoin: round; }
svg .role { stroke-width: 1.2; stroke-dasharray: 4 3; }
svg .role-active { stroke: #0550ae; fill: #0550ae; } svg .role-down { stroke: #6e7781; fill: #6e7781; }
svg .role-other { stroke: #1a7f37; fill: #1a7f37; }
svg .role-label { font-size: 10.5px; stroke: none; }
svg .bar { fill: #8250df; fill-opacity: 0.75; } svg .bar-over { fill: var(--fail); }
svg .bar-count { font-size: 11px; fill: var(--ink); }
svg .limit { stroke: var(--fail); stroke-width: 1.5; stroke-dasharray: 6 3; }
svg .limit-label { font-size: 11px; fill: var(--fail); font-weight: 600; }

.legend { display: flex; flex-wrap: wrap; gap: 4px 16px; font-size: 12px; color: var(--muted); margin: 2px 0 6px; }
.legend .sw { display: inline-block; width: 18px; height: 10px; border-radius: 2px; margin-right: 5px;
  vertical-align: -1px; }
.legend .sw.line { height: 3px; vertical-align: 3px; }
.sw.band { background: rgba(130, 80, 223, 0.18); border: 1px solid rgba(130, 80, 223, 0.5); }
.sw.stall { background: rgba(207, 34, 46, 0.16); border: 1px dashed var(--fail); }
.sw.role { border-left: 2px dashed #0550ae; width: 8px; border-radius: 0; }

.fault { border: 1px solid var(--line); border-radius: 10px; padding: 14px 16px 10px; margin: 16px 0; }
.fault.status-fail { border-color: var(--fail); box-shadow: inset 4px 0 0 var(--fail); }
.fault.status-expected-degraded { border-color: #d4a72c; box-shadow: inset 4px 0 0 #d4a72c; }
.fault.status-error { border-color: var(--error); box-shadow: inset 4px 0 0 var(--error); }
.fault header { display: flex; align-items: baseline; gap: 10px; flex-wrap: wrap; }
.fault .summary { margin: 4px 0 8px; }
.keytimes { display: flex; flex-wrap: wrap; gap: 6px; margin: 6px 0; }
.keytimes .chip { font-weight: 500; } .keytimes .chip b { font-weight: 700; }
details > summary { cursor: pointer; color: var(--muted); font-size: 13px; margin: 6px 0; }
.artifacts { font-size: 12.5px; margin: 6px 0 2px; display: flex; flex-wrap: wrap; gap: 4px 14px; }
.notes { background: var(--soft); padding: 8px 12px; border-radius: 6px; font-size: 13px; }
footer { margin-top: 40px; color: var(--muted); font-size: 12px; border-top: 1px solid var(--line); padding-top: 10px; }

@page { size: A4; margin: 14mm 12mm; }
@media print {
  body { font-size: 11px; }
  main { max-width: none; padding: 0; }
  nav.toc { display: none; }
  h2 { break-after: avoid; margin-top: 22px; }
  .fault, .chart, table tr, .banner { break-inside: avoid; }
  .fault { box-shadow: none; }
  details > summary { display: none; }
  a { color: inherit; }
}
`;
