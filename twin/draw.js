// Canvas drawing for the live pages: a line chart with a log axis, and small DOM helpers.

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
  return { ctx, w, h };
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
 * opts: {xMax, xLabel, yLabel, log}.
 */
export function lineChart(canvas, series, opts) {
  const { ctx, w, h } = fitCanvas(canvas);
  const dark = document.documentElement.dataset.theme === "dark";
  const ink = dark ? "#ddd" : "#222";
  const grid = dark ? "#444" : "#e4e4e4";
  ctx.clearRect(0, 0, w, h);
  const m = { l: 46, r: 10, t: 8, b: 30 };
  const pw = w - m.l - m.r;
  const ph = h - m.t - m.b;
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
  const ty = (v) => (log ? Math.log10(v) : v);
  const Y = (v) => m.t + ph * (1 - (ty(v) - ty(lo)) / (ty(hi) - ty(lo)));
  const xMax = Math.max(1, opts.xMax);
  const X = (x) => m.l + (pw * x) / xMax;
  ctx.font = "11px system-ui, sans-serif";
  ctx.fillStyle = ink;
  ctx.strokeStyle = grid;
  ctx.lineWidth = 1;
  const ticks = log ? niceLogTicks(lo, hi) : [lo, (lo + hi) / 2, hi];
  ctx.textAlign = "right";
  ctx.textBaseline = "middle";
  for (const t of ticks) {
    if (t < lo * 0.999 || t > hi * 1.001) continue;
    ctx.beginPath();
    ctx.moveTo(m.l, Y(t));
    ctx.lineTo(m.l + pw, Y(t));
    ctx.stroke();
    ctx.fillText(log ? (t >= 0.001 && t <= 1000 ? String(t) : t.toExponential(0)) : t.toPrecision(2), m.l - 4, Y(t));
  }
  ctx.textAlign = "center";
  ctx.textBaseline = "top";
  for (const x of [0, xMax / 2, xMax]) ctx.fillText(String(Math.round(x)), X(x), m.t + ph + 3);
  ctx.fillText(opts.xLabel || "epoch", m.l + pw / 2, m.t + ph + 16);
  ctx.save();
  ctx.translate(10, m.t + ph / 2);
  ctx.rotate(-Math.PI / 2);
  ctx.textBaseline = "middle";
  ctx.fillText(opts.yLabel || "", 0, 0);
  ctx.restore();
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
  ctx.setLineDash([]);
  // legend, top right
  ctx.textAlign = "right";
  ctx.textBaseline = "top";
  let ly = m.t + 4;
  for (const s of series) {
    if (!s.label) continue;
    ctx.fillStyle = color(s.color);
    ctx.fillText(s.label, m.l + pw - 4, ly);
    ly += 13;
  }
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
