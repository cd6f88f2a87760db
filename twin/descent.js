// The live explorer of chapter "Gradient descent and minibatch SGD": a [1, 16, 1] tanh network
// fits sin(pi x) + noise on 64 points with the squared error, for 60 epochs, and every change of
// the learning rate, batch size or momentum retrains it in the page (twin/net.js) and redraws.
// With reference-descent.json (written by _ext/live_twin.py from backprop.explore.playground.train_curve)
// it trains on the Python run's data, initial weights and minibatch order, so every setting
// gives the curve the Python widget draws. The words are those of backprop.explore.playground.headline.

import { Network, Trainer, matrix, fmt, overshoot, suggestedRate } from "./net.js";
import { Rng } from "./data.js";
import { lineChart, fitCanvas, el, label, listSlider } from "./draw.js";

export const DEFAULTS = Object.freeze({ learningRate: 0.1, batchSize: 8, momentum: 0, epochs: 60, nSamples: 64, hidden: 16, noise: 0.1 });
/** The slider's learning rates: 1, 2, 3 and 5 times a power of ten, 0.001 to 10 (descent.RATES). */
export const RATES = [-3, -2, -1, 0].flatMap((k) => [1, 2, 3, 5].map((m) => Number(`${m}e${k}`))).concat([10]);
const BATCHES = [1, 2, 4, 8, 16, 32, 64];
const MOMENTA = Array.from({ length: 20 }, (_, i) => Math.round(5 * i) / 100);
const CLIP = 100;

/** The data and initial network: the Python run's (ref) or drawn in the page. */
export function problem(ref) {
  const n = DEFAULTS.nSamples;
  const X = matrix(n, 1);
  const Y = matrix(n, 1);
  const net = new Network([1, DEFAULTS.hidden, 1], { hidden: "tanh", output: "identity", loss: "mse" });
  if (ref) {
    X.data.set(ref.X.flat());
    Y.data.set(ref.Y.flat());
    net.setParameters(ref.weights, ref.biases);
  } else {
    const rng = new Rng(0);
    const xs = Array.from({ length: n }, () => rng.uniform(-1, 1)).sort((a, b) => a - b);
    xs.forEach((x, m) => {
      X.data[m] = x;
      Y.data[m] = Math.sin(Math.PI * x) + DEFAULTS.noise * rng.normal();
    });
    net.initialize(new Rng(1));
  }
  const orderRng = new Rng(2);
  const orders = ref ? ref.orders : Array.from({ length: DEFAULTS.epochs }, () => orderRng.permutation(n));
  return { X, Y, net, orders, fromPython: Boolean(ref) };
}

/** Train a copy of the problem's network: {loss (E+1), updates, status, diverged_epoch, net}. */
export function trainCurve(prob, s) {
  const net = prob.net.copy();
  const trainer = new Trainer(net, prob.X, prob.Y, {
    learningRate: s.learningRate,
    batchSize: s.batchSize,
    momentum: s.momentum,
    order: (e) => prob.orders[e - 1],
  });
  const loss = [net.lossOf(prob.X, prob.Y)];
  for (let e = 0; e < DEFAULTS.epochs; e++) {
    const v = trainer.runEpoch();
    if (v === null) break;
    loss.push(v);
  }
  const steps = Math.ceil(prob.X.rows / Math.min(s.batchSize, prob.X.rows));
  let status = trainer.diverged ? "diverged" : overshoot(loss, s.learningRate)[0];
  return { s, net, loss, updates: loss.map((_, e) => e * steps), status, divergedEpoch: trainer.divergedEpoch };
}

const plural = (n, noun) => (n === 1 ? `${n} ${noun}` : `${n} ${noun}s`);

/** A curve whose loss climbs to RISE times an earlier value is not called converging. */
export const RISE = 1.5;

/** A rise from one epoch to the next by less than this fraction is noise (playground.WOBBLE). */
export const WOBBLE = 0.02;

/** [factor, i, j]: the largest loss[j] / loss[i] with i < j (playground.largest_rise). */
export function largestRise(loss) {
  let best = 1.0;
  let bi = 0;
  let bj = 0;
  let low = Infinity;
  let li = 0;
  loss.forEach((v, j) => {
    if (!Number.isFinite(v) || v <= 0) return;
    if (low < Infinity && v / low > best) [best, bi, bj] = [v / low, li, j];
    if (v < low) [low, li] = [v, j];
  });
  return [best, bi, bj];
}

const SUPERSCRIPT = { "-": "⁻", 0: "⁰", 1: "¹", 2: "²", 3: "³", 4: "⁴", 5: "⁵", 6: "⁶", 7: "⁷", 8: "⁸", 9: "⁹" };

/** backprop.explore.glue.readable: 2,360 or 5.6 × 10²⁸⁸, never 5.6e+288 (ties round away from 0). */
export function readable(x, digits = 3) {
  if (!Number.isFinite(x)) return Number.isNaN(x) ? "nan" : x > 0 ? "inf" : "-inf";
  if (x === 0) return "0";
  let [mant, exp] = x.toExponential(digits - 1).split("e");
  const e = Number(exp);
  if (e >= -4 && e < 6) {
    let text = Number(`${mant}e${e}`).toFixed(Math.max(0, digits - 1 - e));
    if (text.includes(".")) text = text.replace(/0+$/, "").replace(/\.$/, "");
    const [int, frac] = text.split(".");
    const grouped = int.replace(/\B(?=(\d{3})+(?!\d))/g, ",");
    return frac === undefined ? grouped : `${grouped}.${frac}`;
  }
  if (mant.includes(".")) mant = mant.replace(/0+$/, "").replace(/\.$/, "");
  return `${mant} × 10${[...String(e)].map((c) => SUPERSCRIPT[c]).join("")}`;
}

/** playground.factor_words: 2.5, 3,400, or from a million on "more than 10²⁸⁸" (chaos by then). */
export function factorWords(g) {
  if (g < 1e6) return readable(g, 2);
  return `more than 10${[...String(Math.floor(Math.log10(g)))].map((c) => SUPERSCRIPT[c]).join("")}`;
}

/** The sentence of backprop.explore.playground.headline (the explorer's words): the same rule. */
export function headline(r) {
  const loss = r.loss;
  const growth = loss[0] > 0 ? Math.max(...loss) / loss[0] : 1;
  const tryRate = `try a learning rate below ${readable(suggestedRate(r.s.learningRate), 1)}`;
  if (r.status === "diverged") {
    const grew = loss.length > 1 && growth > 1
      ? `the loss rose to ${factorWords(growth)} times its starting value, then overflowed`
      : "the loss overflowed within that epoch";
    return `Diverged at epoch ${r.divergedEpoch}: ${grew}; ${tryRate}.`;
  }
  if (r.status === "overshoot") {
    const worst = loss.indexOf(Math.max(...loss));
    return `Overshooting: by epoch ${worst} the loss rose to ${factorWords(growth)} times its start; ${tryRate}.`;
  }
  const done = `loss ${readable(loss[0])} → ${readable(loss[loss.length - 1])} in ${plural(loss.length - 1, "epoch")} (${plural(r.updates[r.updates.length - 1], "update")})`;
  const [rise, i, j] = largestRise(loss);
  if (rise >= RISE)
    return `Unstable: the loss rose ${readable(rise)}× on the way (from epoch ${i} to epoch ${j}), ${done}; a smaller learning rate${r.s.momentum ? " or momentum" : ""} would descend more steadily.`;
  let ups = 0;
  for (let e = 1; e < loss.length; e++) if (loss[e] > (1 + WOBBLE) * loss[e - 1]) ups++;
  if (ups > (loss.length - 1) / 5) return `Decreasing, but oscillating: ${done}.`;
  return `Converging: ${done}.`;
}

function drawFit(canvas, prob, r) {
  const { ctx, w, h } = fitCanvas(canvas);
  const dark = document.documentElement.dataset.theme === "dark";
  ctx.clearRect(0, 0, w, h);
  const m = { l: 34, r: 8, t: 18, b: 30 }; // the top margin holds the off-scale warning
  const pw = w - m.l - m.r;
  const ph = h - m.t - m.b;
  const X = (x) => m.l + ((x + 1) / 2) * pw;
  const Y = (y) => m.t + ((3 - Math.max(-3, Math.min(3, y))) / 6) * ph;
  ctx.strokeStyle = dark ? "#ddd" : "#222";
  ctx.strokeRect(m.l, m.t, pw, ph);
  ctx.fillStyle = dark ? "#ddd" : "#222";
  ctx.font = "11px system-ui, sans-serif";
  ctx.textAlign = "right";
  ctx.textBaseline = "middle";
  for (const t of [-3, 0, 3]) label(ctx, String(t), m.l - 7, Y(t)); // clear of the x ticks
  ctx.textAlign = "center";
  ctx.textBaseline = "top";
  for (const t of [-1, 0, 1]) label(ctx, String(t), Math.min(X(t), w - 6), m.t + ph + 3);
  label(ctx, "input x; output aᴸ (line), data (dots)", m.l + pw / 2, m.t + ph + 16);
  ctx.fillStyle = "#888";
  for (let i = 0; i < prob.X.rows; i++) {
    ctx.beginPath();
    ctx.arc(X(prob.X.data[i]), Y(prob.Y.data[i]), 2.2, 0, 2 * Math.PI);
    ctx.fill();
  }
  const grid = matrix(201, 1);
  for (let i = 0; i <= 200; i++) grid.data[i] = -1 + i / 100;
  const A = r.net.predict(grid);
  ctx.strokeStyle = "#1f77b4";
  ctx.lineWidth = 2;
  ctx.beginPath();
  let off = false;
  for (let i = 0; i <= 200; i++) {
    let v = A.data[i];
    if (!Number.isFinite(v)) v = 0;
    if (Math.abs(v) >= 3) off = true;
    if (i) ctx.lineTo(X(grid.data[i]), Y(v));
    else ctx.moveTo(X(grid.data[i]), Y(v));
  }
  ctx.stroke();
  if (off) {
    ctx.fillStyle = "#b00";
    label(ctx, "output off the scale (shown at ±3)", m.l + pw / 2, 3);
  }
}

export class DescentExplorer {
  constructor(root, ref) {
    this.root = root;
    this.prob = problem(ref);
    this.s = { learningRate: DEFAULTS.learningRate, batchSize: DEFAULTS.batchSize, momentum: DEFAULTS.momentum };
    this.reference = trainCurve(this.prob, { ...this.s }); // a copy: change() edits this.s
    this.stats = { runs: 0, ms: [] };
    const set = (key) => (v) => this.change({ [key]: v });
    this.controls = {
      rate: listSlider("bp-gd-rate", "learning rate η", RATES, RATES.indexOf(DEFAULTS.learningRate), (v) => `learning rate ${readable(v)}`, readable, set("learningRate")),
      batch: listSlider("bp-gd-batch", "batch size B", BATCHES, BATCHES.indexOf(DEFAULTS.batchSize), (v) => `batch size ${v} of ${DEFAULTS.nSamples} samples`, String, set("batchSize")),
      momentum: listSlider("bp-gd-momentum", "momentum μ", MOMENTA, 0, (v) => `momentum ${v}`, (v) => v.toFixed(2), set("momentum")),
    };
    this.headlineOut = el("p", { class: "bp-status", role: "status", "aria-live": "polite" });
    this.lossChart = el("canvas", { class: "bp-chart", role: "img", "aria-label": "loss curve" });
    this.fitChart = el("canvas", { class: "bp-chart", role: "img", "aria-label": "the trained network" });
    const c = this.controls;
    root.replaceChildren(
      el("div", { class: "bp-controls bp-controls-row" }, c.rate.root, c.batch.root, c.momentum.root),
      el("p", { class: "bp-note" }, `η: step size per update (1, 2, 3 and 5 times a power of ten, from ${readable(RATES[0])} to ${readable(RATES[RATES.length - 1])}); B: samples per update, of ${DEFAULTS.nSamples} (B = ${DEFAULTS.nSamples} is full-batch gradient descent, B = 1 online learning); μ: fraction of the previous step kept. Every change retrains in this page from the same start for ${DEFAULTS.epochs} epochs.`),
      this.headlineOut,
      el("div", { class: "bp-figures" },
        el("figure", {}, this.lossChart, el("figcaption", {}, "Training loss per epoch (log scale); dashed grey: the default settings.")),
        el("figure", {}, this.fitChart, el("figcaption", {}, "The function the trained network computes."))),
      el("p", { class: "bp-provenance" }, this.prob.fromPython
        ? "Data, initial weights and minibatch order are those of the chapter's Python run: every setting gives the Python widget's curve."
        : "Data and initial weights drawn in the page."),
    );
    this.update();
  }

  change(patch) {
    Object.assign(this.s, patch);
    this.update();
  }

  update() {
    const t0 = performance.now();
    this.result = trainCurve(this.prob, this.s);
    const r = this.result;
    const top = CLIP * r.loss[0];
    const clip = (ys) => ys.map((v) => Math.min(v, top));
    // A curve that leaves the chart says so in its legend entry: nothing is cut silently.
    const off = (ys) => {
      const k = ys.findIndex((v) => !(v <= top));
      return k < 0 ? "" : ` (above ${CLIP}× its start from epoch ${k})`;
    };
    const ref = this.reference;
    lineChart(this.lossChart, [
      { y: clip(ref.loss), color: "#999", dash: [5, 4], label: `reference: η=${fmt(ref.s.learningRate)}, B=${ref.s.batchSize}${off(ref.loss)}` },
      { y: clip(r.loss), color: "#1f77b4", width: 2.2, label: `η=${fmt(r.s.learningRate)}, B=${r.s.batchSize}${r.s.momentum ? `, μ=${r.s.momentum}` : ""}${off(r.loss)}` },
    ], { xMax: DEFAULTS.epochs, yLabel: "loss C (mean of ½(a − y)²)", xLabel: `epoch (one pass over the ${DEFAULTS.nSamples} samples)` });
    drawFit(this.fitChart, this.prob, r);
    this.text = headline(r);
    this.headlineOut.textContent = this.text;
    this.headlineOut.className = `bp-status bp-${r.status}`;
    this.lossChart.setAttribute("aria-label", `loss curve${off(r.loss)}: ${this.text}`);
    this.stats.runs++;
    this.stats.ms.push(performance.now() - t0);
  }
}

export async function mount(root) {
  let ref = null;
  try {
    const r = await fetch(new URL("./reference-descent.json", import.meta.url));
    if (r.ok) ref = await r.json();
  } catch {
    ref = null;
  }
  const ex = new DescentExplorer(root, ref);
  root.bpTwin = ex;
  window.bpDescent = ex;
  return ex;
}
