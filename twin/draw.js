// Canvas drawing for the live pages: a line chart with a log axis, and small DOM helpers.
// Every text drawn on a canvas goes through label(), which records its box (CSS px) in
// canvas.bpLabels, so that the layout can avoid collisions and the browser tests can check that
// no two labels overlap and none is cut by the canvas's edge.

export const COLORS = ["#e8871e", "#1f77b4", "#2ca02c"]; // class 0, 1, 2
export const LAYER_COLORS = ["#1b9e77", "#d95f02", "#7570b3", "#e7298a", "#66a61e", "#e6ab02", "#a6761d"];

/** A canvas sized for its CSS box and the screen's pixel ratio; returns its 2-D context. */
export function fitCanvas(canvas) {
  const ratio = window.devicePixelRatio || 1;
  const w = Math.max(1, canvas.clientWidth);
  const h = Math.max(1, canvas.clientHeight);
  if (canvas.width !== Math.round(w * ratio) || canvas.height !== Math.round(h * ratio)) {
    canvas.width = Math.round(w * ratio);
    canvas.height = Math.round(h * ratio);
  }
  const ctx = canvas.getContext("2d");
  ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
  canvas.bpLabels = [];
  return { ctx, w, h };
}

/** The box {x, y, w, h} that `text` covers when drawn at (x, y) with the context's alignment,
 * turned by a quarter turn anticlockwise if `rotate`. */
export function textBox(ctx, text, x, y, rotate = false) {
  const m = ctx.measureText(text);
  const [l, r, a, d] = [m.actualBoundingBoxLeft, m.actualBoundingBoxRight, m.actualBoundingBoxAscent, m.actualBoundingBoxDescent];
  return rotate ? { x: x - a, y: y - r, w: a + d, h: l + r } : { x: x - l, y: y - a, w: l + r, h: a + d };
}

const apart = (p, q, gap = 0) => p.x + p.w + gap <= q.x || q.x + q.w + gap <= p.x || p.y + p.h + gap <= q.y || q.y + q.h + gap <= p.y;

/** Draw `text` at (x, y) (turned a quarter anticlockwise if `rotate`) and record its box in
 * canvas.bpLabels; with `optional`, a label that would touch one already drawn is left out. */
export function label(ctx, text, x, y, { rotate = false, optional = false } = {}) {
  const box = { text, ...textBox(ctx, text, x, y, rotate) };
  const drawn = ctx.canvas.bpLabels || (ctx.canvas.bpLabels = []);
  if (optional && !drawn.every((b) => apart(b, box, 1))) return null;
  if (rotate) {
    ctx.save();
    ctx.translate(x, y);
    ctx.rotate(-Math.PI / 2);
    ctx.fillText(text, 0, 0);
    ctx.restore();
  } else ctx.fillText(text, x, y);
  drawn.push(box);
  return box;
}

/** Words of `text` in lines no wider than `width` (a single word may be wider). */
function wrap(ctx, text, width) {
  const lines = [];
  for (const word of text.split(" ")) {
    const last = lines.length ? `${lines[lines.length - 1]} ${word}` : word;
    if (lines.length && ctx.measureText(last).width <= width) lines[lines.length - 1] = last;
    else lines.push(word);
  }
  return lines;
}

const SWATCH = 14; // legend: a short stroke of the line, then its label
const GAP = 9; // between legend entries
const LINE = 13; // px per line of 11 px text

/** Legend entries laid out in rows across `width` px: [{s, lines, x, row}], rows. */
function legendLayout(ctx, series, width) {
  const items = [];
  let row = 0;
  let x = 0;
  for (const s of series.filter((s) => s.label)) {
    const lines = wrap(ctx, s.label, width - SWATCH - 3);
    const w = SWATCH + 3 + Math.max(...lines.map((t) => ctx.measureText(t).width));
    if (x > 0 && (lines.length > 1 || x + w > width)) (row += 1), (x = 0);
    items.push({ s, lines, x, row });
    if (lines.length > 1) (row += lines.length), (x = 0);
    else x += w + GAP;
  }
  return { items, rows: items.length ? (x > 0 ? row + 1 : row) : 0 };
}

function niceLogTicks(lo, hi) {
  const decades = Math.log10(hi / lo);
  const steps = decades <= 1.5 ? [1, 2, 5] : decades <= 3 ? [1, 3] : [1];
  const ticks = [];
  for (let e = Math.floor(Math.log10(lo)); e <= Math.ceil(Math.log10(hi)); e++)
    for (const m of steps) ticks.push(Number((m * 10 ** e).toPrecision(1)));
  return ticks;
}

/**
 * series: [{y: number[], x?: number[], color ("ink" = text colour), dash?, label, width?}];
 * values <= 0 or non-finite are left out (a log axis cannot show them).
 * opts: {xMax, xLabel, yLabel, log}. The legend sits above the axes, in as many rows as its
 * entries need (a label wider than the chart wraps), so it never covers a curve or leaves the
 * canvas, whatever the number of series.
 */
export function lineChart(canvas, series, opts) {
  const { ctx, w, h } = fitCanvas(canvas);
  const dark = document.documentElement.dataset.theme === "dark";
  const ink = dark ? "#ddd" : "#222";
  const grid = dark ? "#444" : "#e4e4e4";
  ctx.clearRect(0, 0, w, h);
  ctx.font = "11px system-ui, sans-serif";
  const legend = legendLayout(ctx, series, w - 20);
  const log = opts.log !== false;
  const ok = (v) => Number.isFinite(v) && (!log || v > 0);
  let lo = Infinity;
  let hi = -Infinity;
  for (const s of series) for (const v of s.y) if (ok(v)) (lo = Math.min(lo, v)), (hi = Math.max(hi, v));
  if (!(lo <= hi)) (lo = log ? 0.1 : 0), (hi = 1);
  if (log) {
    lo = 10 ** (Math.floor(Math.log10(lo) * 2) / 2);
    hi = 10 ** (Math.ceil(Math.log10(hi) * 2) / 2);
    if (hi <= lo) hi = lo * 10;
  } else if (hi === lo) (lo -= 1), (hi += 1);
  const ticks = (log ? niceLogTicks(lo, hi) : [lo, (lo + hi) / 2, hi])
    .filter((t) => t >= lo * 0.999 && t <= hi * 1.001)
    .map((t) => [t, log ? (t >= 0.001 && t <= 1000 ? String(t) : t.toExponential(0)) : t.toPrecision(2)]);
  // the left margin: the turned axis label (x 2..15), a gap, the widest tick label, a gap
  const tickWidth = Math.max(0, ...ticks.map(([, text]) => ctx.measureText(text).width));
  const m = { l: Math.max(46, Math.ceil(23 + tickWidth)), r: 10, t: 8 + legend.rows * LINE, b: 30 };
  const pw = w - m.l - m.r;
  const ph = h - m.t - m.b;
  const ty = (v) => (log ? Math.log10(v) : v);
  const Y = (v) => m.t + ph * (1 - (ty(v) - ty(lo)) / (ty(hi) - ty(lo)));
  const xMax = Math.max(1, opts.xMax);
  const X = (x) => m.l + (pw * x) / xMax;
  ctx.fillStyle = ink;
  ctx.strokeStyle = grid;
  ctx.lineWidth = 1;
  // the axis labels first: a tick label that would touch one drawn before it is left out
  ctx.textAlign = "center";
  ctx.textBaseline = "top";
  label(ctx, opts.xLabel || "epoch", m.l + pw / 2, m.t + ph + 16);
  ctx.textBaseline = "middle";
  if (opts.yLabel) label(ctx, opts.yLabel, 8, m.t + ph / 2, { rotate: true });
  ctx.textBaseline = "top";
  for (const x of [0, xMax / 2, xMax]) {
    const t = String(Math.round(x));
    const half = ctx.measureText(t).width / 2 + 1; // the last tick's label stays on the canvas
    label(ctx, t, Math.min(X(x), w - half), m.t + ph + 3, { optional: true });
  }
  ctx.textAlign = "right";
  ctx.textBaseline = "middle";
  for (const [t, text] of ticks) {
    ctx.beginPath();
    ctx.moveTo(m.l, Y(t));
    ctx.lineTo(m.l + pw, Y(t));
    ctx.stroke();
    label(ctx, text, m.l - 5, Y(t), { optional: true }); // (its grid line stays)
  }
  ctx.strokeStyle = ink;
  ctx.strokeRect(m.l, m.t, pw, ph);
  const color = (c) => (c === "ink" ? ink : c); // "ink": the text colour of the theme
  for (const s of series) {
    ctx.strokeStyle = color(s.color);
    ctx.lineWidth = s.width || 1.8;
    ctx.setLineDash(s.dash || []);
    ctx.beginPath();
    let pen = false;
    s.y.forEach((v, i) => {
      const x = s.x ? s.x[i] : i;
      if (!ok(v)) return void (pen = false);
      const px = X(Math.min(x, xMax));
      const py = Y(Math.min(Math.max(v, lo), hi));
      if (pen) ctx.lineTo(px, py);
      else ctx.moveTo(px, py);
      pen = true;
    });
    ctx.stroke();
    if (s.y.length === 1 && ok(s.y[0])) {
      ctx.beginPath();
      ctx.arc(X(0), Y(s.y[0]), 2.5, 0, 2 * Math.PI);
      ctx.stroke();
    }
  }
  // legend, above the axes: a stroke of each line (its colour and dash), then its label
  ctx.textAlign = "left";
  ctx.textBaseline = "top";
  ctx.fillStyle = ink;
  for (const { s, lines, x, row } of legend.items) {
    const top = 4 + row * LINE;
    ctx.strokeStyle = color(s.color);
    ctx.lineWidth = Math.max(2, s.width || 1.8);
    ctx.setLineDash(s.dash || []);
    ctx.beginPath();
    ctx.moveTo(10 + x, top + 6);
    ctx.lineTo(10 + x + SWATCH, top + 6);
    ctx.stroke();
    lines.forEach((t, i) => label(ctx, t, 10 + x + SWATCH + 3, top + i * LINE));
  }
  ctx.setLineDash([]);
}

/** A labelled element: el("div", {class: "x"}, child, "text", ...) */
export function el(tag, attrs = {}, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === null || v === undefined || v === false) continue;
    if (k === "class") e.className = v;
    else if (k.startsWith("on")) e.addEventListener(k.slice(2), v);
    else e.setAttribute(k, v === true ? "" : v);
  }
  for (const c of children) if (c !== null && c !== undefined) e.append(c);
  return e;
}

/**
 * A slider over a list of values: {values, index, label, describe(value) -> aria-valuetext,
 * show(value) -> readout}. Returns {root, input, value(), set(i)}; onchange(value) on input.
 */
export function listSlider(id, label, values, index, describe, show, onchange) {
  const out = el("output", { for: id, class: "bp-readout" });
  const input = el("input", { type: "range", id, min: 0, max: values.length - 1, step: 1, value: index });
  const update = () => {
    const v = values[Number(input.value)];
    out.textContent = show(v);
    input.setAttribute("aria-valuetext", describe(v));
  };
  input.addEventListener("input", () => {
    update();
    onchange(values[Number(input.value)]);
  });
  update();
  const root = el("div", { class: "bp-control" }, el("label", { for: id }, label), input, out);
  return {
    root,
    input,
    value: () => values[Number(input.value)],
    set: (i) => {
      input.value = i;
      update();
    },
  };
}

export function select(id, label, options, value, onchange) {
  const s = el("select", { id });
  for (const [v, text] of options) s.append(el("option", { value: v, selected: v === value }, text));
  s.addEventListener("change", () => onchange(s.value));
  return { root: el("div", { class: "bp-control" }, el("label", { for: id }, label), s), input: s };
}
