// The live playground of chapter "The playground": trains twin/net.js in the page, one epoch per
// frame, and draws the decision regions, the loss curves and the per-layer gradient norms.
// Defaults are those of backprop.explore.playground.Settings(); at those settings the page
// starts from the Python run's own data, initial weights and minibatch order (reference-playground.json,
// written by _ext/live_twin.py when the book is built), so its numbers are the chapter's.

import { Network, Trainer, matrix, oneHot, fmt, overshoot, divergenceMessage, gradientNotes, l1Notes, weightSymbol } from "./net.js";
import { Rng, DATASETS, FEATURES, trainTestSplit } from "./data.js";
import { COLORS, LAYER_COLORS, lineChart, fitCanvas, el, label, listSlider, select } from "./draw.js";

export const DEFAULTS = Object.freeze({
  dataset: "moons",
  nSamples: 200,
  noise: 0.2,
  testFraction: 0.3,
  layers: [8, 8],
  activation: "tanh",
  loss: "cross_entropy",
  learningRate: 0.3,
  batchSize: 16,
  epochs: 100,
  reg: "none",
  regRate: 0.001,
  momentum: 0,
  seed: 0,
  dataSeed: 0,
  features: ["x1", "x2"],
  showTest: true,
  discretize: false,
});

/** A fresh copy of the defaults (their lists are the reader's to change). */
const defaults = () => ({ ...DEFAULTS, layers: DEFAULTS.layers.slice(), features: DEFAULTS.features.slice() });

/** Below this width the page stacks: the decision regions, then the main controls, then the
 * other figures, and the other controls folded (twin.css has the same width). */
const WIDE = "(min-width: 761px)";

const RATES = [0.001, 0.002, 0.003, 0.005, 0.01, 0.02, 0.03, 0.05, 0.1, 0.2, 0.3, 0.5, 1, 2, 3, 5, 10];
const REG_RATES = [0.0001, 0.0003, 0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1];
const BATCHES = [1, 2, 4, 8, 16, 32, 64, 128, 256];
const NOISES = [0, 0.05, 0.1, 0.15, 0.2, 0.25, 0.3, 0.35, 0.4, 0.45, 0.5];
const TEST_SHARES = [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9];
const MOMENTA = [0, 0.5, 0.8, 0.9, 0.95, 0.99];
const LIMITS = [40, 100, 300, 1000, Infinity];
const MAX_LAYERS = 6;
const MAX_NEURONS = 16;
const GRID = 60;

// ------------------------------------------------------------------------------- the model
/** Data, network and trainer of `s`; `ref` is the Python run (reference-playground.json) or null. */
export function build(s, ref) {
  const info = DATASETS[s.dataset];
  const regression = info.classes === 0;
  const k = regression ? 1 : info.classes;
  const same = (keys) => ref && keys.every((key) => JSON.stringify(ref.settings[key]) === JSON.stringify(s[key]));
  let split;
  let fromPython = { data: false, weights: false, order: false };
  if (same(["dataset", "nSamples", "noise", "testFraction", "dataSeed"])) {
    split = { train: { X: ref.X_train, y: ref.y_train }, test: { X: ref.X_test, y: ref.y_test } };
    fromPython.data = true;
  } else {
    const rng = new Rng(1000 + s.dataSeed);
    const { X, y } = info.make(s.nSamples, s.noise, rng);
    split = trainTestSplit(X, y, s.testFraction, rng);
  }
  const feats = s.features.map((f) => FEATURES[f]);
  const inputs = (points) => {
    const A = matrix(points.length, feats.length);
    points.forEach((p, m) => feats.forEach((f, j) => (A.data[m * feats.length + j] = f(p))));
    return A;
  };
  const targets = (y) => {
    if (!regression) return oneHot(y, k);
    const Y = matrix(y.length, 1);
    Y.data.set(y);
    return Y;
  };
  const sizes = [feats.length, ...s.layers, k];
  const net = new Network(sizes, {
    hidden: s.activation,
    output: regression ? "identity" : "softmax",
    loss: regression ? "mse" : s.loss,
  });
  const scheme = (act) => (act === "relu" ? "he" : "glorot");
  if (same(["seed"]) && ref.settings.sizes.join() === sizes.join() && scheme(ref.settings.activation) === scheme(s.activation)) {
    net.setParameters(ref.weights, ref.biases);
    fromPython.weights = true;
  } else net.initialize(new Rng(2000 + s.seed));
  const X = inputs(split.train.X);
  const Y = targets(split.train.y);
  const orderRng = new Rng(3000 + s.seed);
  const pythonOrder = same(["seed"]) && ref.orders[0].length === X.rows;
  fromPython.order = pythonOrder;
  const trainer = new Trainer(net, X, Y, {
    learningRate: s.learningRate,
    batchSize: s.batchSize,
    momentum: s.momentum,
    l2: s.reg === "L2" ? s.regRate : 0,
    l1: s.reg === "L1" ? s.regRate : 0,
    order: (epoch) => (pythonOrder && epoch <= ref.orders.length ? ref.orders[epoch - 1] : orderRng.permutation(X.rows)),
  });
  // the grid of the decision regions: the data's box plus 0.4 (as in the Python figure)
  const all = split.train.X.concat(split.test.X);
  const lo = [0, 1].map((j) => Math.min(...all.map((p) => p[j])) - 0.4);
  const hi = [0, 1].map((j) => Math.max(...all.map((p) => p[j])) + 0.4);
  const gridPoints = [];
  for (let i = 0; i < GRID; i++)
    for (let j = 0; j < GRID; j++)
      gridPoints.push([lo[0] + ((hi[0] - lo[0]) * j) / (GRID - 1), hi[1] - ((hi[1] - lo[1]) * i) / (GRID - 1)]);
  return {
    s,
    k,
    regression,
    split,
    net,
    trainer,
    X,
    Y,
    Xtest: inputs(split.test.X),
    Ytest: targets(split.test.y),
    grid: inputs(gridPoints),
    box: { lo, hi },
    fromPython,
    trainLoss: [],
    testLoss: [],
    gradNorms: [],
    accuracy: [],
  };
}

function accuracy(run, X, y) {
  const A = run.net.predict(X);
  let right = 0;
  for (let m = 0; m < A.rows; m++) {
    let best = 0;
    for (let j = 1; j < A.cols; j++) if (A.data[m * A.cols + j] > A.data[m * A.cols + best]) best = j;
    if (best === y[m]) right++;
  }
  return right / A.rows;
}

/** Record the losses, test accuracy and gradient norms of the current weights. */
export function measure(run) {
  run.trainLoss.push(run.trainer.losses.length ? run.trainer.losses[run.trainer.losses.length - 1] : run.net.lossOf(run.X, run.Y));
  run.testLoss.push(run.net.lossOf(run.Xtest, run.Ytest));
  run.gradNorms.push(run.net.gradientNorms(run.X, run.Y));
  if (!run.regression) run.accuracy.push(accuracy(run, run.Xtest, run.split.test.y));
}

/** One epoch; false when training stopped (diverged, or reached the "stop after" limit). */
export function advance(run) {
  if (run.trainer.diverged || run.trainer.epoch >= run.s.epochs) return false;
  if (run.trainer.runEpoch() === null) return false;
  measure(run);
  return true;
}

/** [status, words] as the Python playground gives them (diagnose + gradient_notes). */
export function diagnosis(run) {
  const s = run.s;
  let status = "ok";
  let text;
  const e = run.trainer.epoch;
  if (run.trainer.diverged) {
    status = "diverged";
    text = divergenceMessage(run.trainer.losses, run.trainer.divergedEpoch, s.learningRate);
  } else {
    [status, text] = overshoot(run.trainLoss, s.learningRate);
  }
  if (status === "ok") {
    const last = run.trainLoss.length - 1;
    const tail = run.regression
      ? `test loss ${fmt(run.testLoss[last])}.`
      : `test accuracy ${(100 * run.accuracy[last]).toFixed(1)} %.`;
    text = e
      ? `Epoch ${e}: training loss ${fmt(run.trainLoss[0])} → ${fmt(run.trainLoss[last])}, ${tail}`
      : `Epoch 0 (before training): training loss ${fmt(run.trainLoss[0])}, ${tail}`;
  }
  // as playground._notes: the L1 words first; a layer of zero weights, not dead units, is why
  // the layers below it get no gradient
  let notes = gradientNotes(run.gradNorms);
  const l1 = run.trainer.l1;
  if (l1 && !run.net.W.slice(1).every((W) => W.data.some((w) => w !== 0))) notes = notes.filter((n) => !n.startsWith("Dead units"));
  return [status, [text, ...l1Notes(run.net.W, l1, s.learningRate), ...notes].join(" ")];
}

// ------------------------------------------------------------------------------- drawing
function mix(p, k, discretize) {
  let best = 0;
  for (let j = 1; j < k; j++) if (p[j] > p[best]) best = j;
  const rgb = [0, 0, 0];
  for (let j = 0; j < k; j++) {
    const w = discretize ? (j === best ? 1 : 0) : p[j];
    const c = COLORS[j];
    for (let q = 0; q < 3; q++) rgb[q] += w * parseInt(c.slice(1 + 2 * q, 3 + 2 * q), 16);
  }
  const conf = discretize ? 1 : (p[best] - 1 / k) / (1 - 1 / k);
  const a = 0.2 + 0.55 * (Number.isFinite(conf) ? conf : 0);
  return rgb.map((v) => Math.round(255 * (1 - a) + v * a));
}

function regressionColor(v, discretize) {
  if (!Number.isFinite(v)) v = 0;
  if (discretize) v = Math.sign(v) * 0.5;
  const t = Math.max(-1, Math.min(1, v));
  const c = t < 0 ? COLORS[0] : COLORS[1];
  const a = 0.85 * Math.abs(t);
  return [0, 1, 2].map((q) => Math.round(255 * (1 - a) + parseInt(c.slice(1 + 2 * q, 3 + 2 * q), 16) * a));
}

/** Decision regions on the G x G grid and the points; returns the milliseconds it took. */
export function drawRegions(canvas, run, offscreen) {
  const t0 = performance.now();
  const { ctx, w, h } = fitCanvas(canvas);
  const A = run.net.predict(run.grid);
  const img = offscreen.getContext("2d").createImageData(GRID, GRID);
  const k = run.k;
  const p = new Float64Array(k);
  for (let i = 0; i < GRID * GRID; i++) {
    let rgb;
    if (run.regression) rgb = regressionColor(A.data[i], run.s.discretize);
    else {
      for (let j = 0; j < k; j++) p[j] = A.data[i * k + j];
      rgb = mix(p, k, run.s.discretize);
    }
    img.data.set([rgb[0], rgb[1], rgb[2], 255], 4 * i);
  }
  offscreen.getContext("2d").putImageData(img, 0, 0);
  ctx.imageSmoothingEnabled = true;
  ctx.drawImage(offscreen, 0, 0, w, h);
  const { lo, hi } = run.box;
  const X = (x) => ((x - lo[0]) / (hi[0] - lo[0])) * w;
  const Y = (y) => ((hi[1] - y) / (hi[1] - lo[1])) * h;
  const color = (c) => (run.regression ? (c < 0 ? COLORS[0] : COLORS[1]) : COLORS[c]);
  ctx.lineWidth = 1;
  ctx.strokeStyle = "#fff";
  run.split.train.X.forEach((pt, m) => {
    ctx.fillStyle = color(run.split.train.y[m]);
    ctx.beginPath();
    ctx.arc(X(pt[0]), Y(pt[1]), 3.2, 0, 2 * Math.PI);
    ctx.fill();
    ctx.stroke();
  });
  if (run.s.showTest) {
    ctx.strokeStyle = "#111";
    run.split.test.X.forEach((pt, m) => {
      const x = X(pt[0]);
      const y = Y(pt[1]);
      ctx.fillStyle = color(run.split.test.y[m]);
      ctx.beginPath();
      ctx.moveTo(x, y - 4.5);
      ctx.lineTo(x + 4, y + 3);
      ctx.lineTo(x - 4, y + 3);
      ctx.closePath();
      ctx.fill();
      ctx.stroke();
    });
  }
  return performance.now() - t0;
}

/**
 * The network as TensorFlow Playground draws it: one column of neurons per layer, every weight
 * w^l_jk a line from neuron k of layer l-1 to neuron j of layer l (blue positive, orange
 * negative, thicker for larger |w|), and under each layer l >= 1 a bar of ||dC/dW^l|| on a log
 * scale from 1e-6 (empty) to 1 (full), labelled W¹, W², ...: the delta recursion, layer by
 * layer. The bars narrow with the number of layers; the caption explains the scale.
 */
export function drawNetwork(canvas, run) {
  const { ctx, w, h } = fitCanvas(canvas);
  const dark = document.documentElement.dataset.theme === "dark";
  const ink = dark ? "#ddd" : "#222";
  ctx.clearRect(0, 0, w, h);
  const net = run.net;
  const sizes = net.sizes;
  const L = net.L;
  const top = 16;
  const bottom = h - 32;
  const xs = sizes.map((_, l) => 30 + ((w - 60) * l) / Math.max(1, L));
  const ys = (n, j) => top + ((bottom - top) * (j + 0.5)) / n;
  let wmax = 0;
  for (let l = 1; l <= L; l++) for (const v of net.W[l].data) wmax = Math.max(wmax, Math.abs(v));
  for (let l = 1; l <= L; l++) {
    const W = net.W[l];
    for (let j = 0; j < W.rows; j++)
      for (let k = 0; k < W.cols; k++) {
        const v = W.data[j * W.cols + k];
        const a = wmax > 0 && Number.isFinite(v) ? Math.abs(v) / wmax : 0;
        ctx.strokeStyle = v >= 0 ? `rgba(31,119,180,${0.15 + 0.85 * a})` : `rgba(232,135,30,${0.15 + 0.85 * a})`;
        ctx.lineWidth = 0.4 + 2.6 * a;
        ctx.beginPath();
        ctx.moveTo(xs[l - 1], ys(sizes[l - 1], k));
        ctx.lineTo(xs[l], ys(sizes[l], j));
        ctx.stroke();
      }
  }
  ctx.fillStyle = dark ? "#333" : "#fff";
  ctx.strokeStyle = ink;
  ctx.lineWidth = 1;
  sizes.forEach((n, l) => {
    const r = Math.max(2.5, Math.min(7, (bottom - top) / n / 2.6));
    for (let j = 0; j < n; j++) {
      ctx.beginPath();
      ctx.arc(xs[l], ys(n, j), r, 0, 2 * Math.PI);
      ctx.fill();
      ctx.stroke();
    }
  });
  ctx.font = "11px system-ui, sans-serif";
  ctx.textAlign = "center";
  ctx.textBaseline = "top";
  ctx.fillStyle = ink;
  label(ctx, "inputs", xs[0], 1);
  if (L > 1) label(ctx, "hidden", (xs[1] + xs[L - 1]) / 2, 1);
  label(ctx, "output", xs[L], 1);
  const g = run.gradNorms[run.gradNorms.length - 1] || [];
  const bar = Math.min(28, (0.75 * (w - 60)) / Math.max(1, L));
  for (let l = 1; l <= L; l++) {
    const v = g[l - 1];
    const frac = Number.isFinite(v) && v > 0 ? Math.max(0, Math.min(1, (Math.log10(v) + 6) / 6)) : 0;
    const x0 = xs[l] - bar / 2;
    ctx.fillStyle = LAYER_COLORS[(l - 1) % LAYER_COLORS.length];
    ctx.fillRect(x0, bottom + 8, bar * frac, 7);
    ctx.strokeStyle = ink;
    ctx.strokeRect(x0, bottom + 8, bar, 7);
    ctx.fillStyle = ink;
    label(ctx, weightSymbol(l), xs[l], bottom + 18);
  }
}

// ------------------------------------------------------------------------------- the page
export async function loadReference(url) {
  try {
    const r = await fetch(url);
    return r.ok ? await r.json() : null;
  } catch {
    return null;
  }
}

export class Playground {
  constructor(root, reference) {
    this.root = root;
    this.ref = reference;
    this.s = defaults();
    this.running = true;
    this.wide = window.matchMedia(WIDE);
    this.wide.addEventListener("change", () => (this.more.open = this.wide.matches));
    this.stats = { epochs: 0, frames: 0, regionMs: [], restarts: 0 };
    this.offscreen = document.createElement("canvas");
    this.offscreen.width = this.offscreen.height = GRID;
    this.render();
    this.restart();
    this.frame = this.frame.bind(this);
    requestAnimationFrame(this.frame);
  }

  // ------------------------------------------------------------------ controls
  render() {
    const s = this.s;
    const id = (name) => `bp-pg-${name}`;
    const set = (key) => (v) => this.change({ [key]: v });
    const C = (this.controls = {});
    this.playButton = el("button", { type: "button", id: id("play"), onclick: () => this.toggle() }, "Pause");
    const bar = el(
      "div",
      { class: "bp-bar", role: "group", "aria-label": "training" },
      this.playButton,
      (this.stepButton = el("button", { type: "button", id: id("step"), onclick: () => this.step() }, "Step one epoch")),
      (this.resetButton = el("button", { type: "button", id: id("reset"), onclick: () => this.reset() }, "Reset to defaults")),
      (this.epochOut = el("span", { class: "bp-epoch", "aria-live": "off" }, "epoch 0")),
    );
    C.dataset = select(id("dataset"), "data set", Object.entries(DATASETS).map(([k, d]) => [k, d.label]), s.dataset, set("dataset"));
    C.noise = listSlider(id("noise"), "noise", NOISES, NOISES.indexOf(s.noise), (v) => `noise ${v} (standard deviation)`, (v) => v.toFixed(2), set("noise"));
    C.test = listSlider(id("test"), "test share", TEST_SHARES, TEST_SHARES.indexOf(s.testFraction), (v) => `test share ${Math.round(100 * v)} percent of ${s.nSamples} points`, (v) => `${Math.round(100 * v)} %`, set("testFraction"));
    C.regen = el("button", { type: "button", id: id("regenerate"), onclick: () => this.change({ dataSeed: this.s.dataSeed + 1 }) }, "New data");
    C.seed = el("input", { type: "number", id: id("seed"), min: 0, max: 9999, step: 1, value: s.seed });
    C.seed.addEventListener("change", () => {
      const v = Math.max(0, Math.min(9999, Math.round(Number(C.seed.value) || 0)));
      C.seed.value = v;
      this.change({ seed: v });
    });
    const features = el("fieldset", { class: "bp-features" }, el("legend", {}, "input features"));
    C.features = {};
    for (const f of Object.keys(FEATURES)) {
      const box = el("input", { type: "checkbox", id: id(`f-${f.replace(/[^a-z0-9]/gi, "")}`), checked: s.features.includes(f) });
      box.addEventListener("change", () => {
        let next = Object.keys(FEATURES).filter((g) => (g === f ? box.checked : this.s.features.includes(g)));
        if (!next.length) {
          box.checked = true; // at least one input
          this.say("The network needs at least one input feature.");
          return;
        }
        this.change({ features: next });
      });
      C.features[f] = box;
      features.append(el("label", { class: "bp-check" }, box, ` ${f.replace("^2", "²").replace("*", "·")}`));
    }
    C.activation = select(id("activation"), "activation σ", [["tanh", "tanh"], ["relu", "ReLU"], ["sigmoid", "sigmoid"], ["identity", "identity"]], s.activation, set("activation"));
    C.loss = select(id("loss"), "loss", [["cross_entropy", "cross-entropy"], ["mse", "squared error"]], s.loss, set("loss"));
    C.rate = listSlider(id("rate"), "learning rate η", RATES, RATES.indexOf(s.learningRate), (v) => `learning rate ${v}`, (v) => String(v), set("learningRate"));
    C.batch = listSlider(id("batch"), "batch size B", BATCHES, BATCHES.indexOf(s.batchSize), (v) => `batch size ${v} samples`, (v) => String(v), set("batchSize"));
    C.momentum = listSlider(id("momentum"), "momentum μ", MOMENTA, MOMENTA.indexOf(s.momentum), (v) => `momentum ${v}`, (v) => String(v), set("momentum"));
    C.reg = select(id("reg"), "regularisation", [["none", "none"], ["L2", "L2 (weight decay)"], ["L1", "L1"]], s.reg, set("reg"));
    C.regRate = listSlider(id("regrate"), "regularisation rate λ", REG_RATES, REG_RATES.indexOf(s.regRate), (v) => `regularisation rate ${v}`, (v) => String(v), set("regRate"));
    C.limit = select(id("epochs"), "stop after", LIMITS.map((v) => [String(v), Number.isFinite(v) ? `${v} epochs` : "no limit"]), String(s.epochs), (v) => this.change({ epochs: Number(v) }));
    C.showTest = el("input", { type: "checkbox", id: id("showtest"), checked: s.showTest });
    C.showTest.addEventListener("change", () => this.change({ showTest: C.showTest.checked }, false));
    C.discretize = el("input", { type: "checkbox", id: id("discretize"), checked: s.discretize });
    C.discretize.addEventListener("change", () => this.change({ discretize: C.discretize.checked }, false));
    this.layersBox = el("div", { class: "bp-layers", role: "group", "aria-label": "hidden layers" });

    this.regions = el("canvas", { class: "bp-regions", role: "img", "aria-label": "decision regions" });
    this.netChart = el("canvas", { class: "bp-network", role: "img", "aria-label": "the network" });
    this.lossChart = el("canvas", { class: "bp-chart", role: "img", "aria-label": "loss curves" });
    this.gradChart = el("canvas", { class: "bp-chart", role: "img", "aria-label": "gradient norms" });
    this.statusOut = el("p", { class: "bp-status", "aria-live": "polite" });
    this.arch = el("p", { class: "bp-arch" });
    this.provenance = el("p", { class: "bp-provenance" });

    const group = (title, ...kids) => el("fieldset", { class: "bp-group" }, el("legend", {}, title), ...kids);
    // The controls a reader turns most, in one compact group (on a phone, right under the
    // decision regions); the others folded on a phone, open beside the figures on a wide screen.
    const main = el(
      "fieldset",
      { class: "bp-group bp-essentials" },
      el("legend", {}, "main controls"),
      el("div", { class: "bp-pairs" }, C.rate.root, C.batch.root, C.dataset.root, C.activation.root),
      this.layersBox,
    );
    const open = this.more ? this.more.open : this.wide.matches;
    this.more = el(
      "details",
      { class: "bp-more", open },
      el("summary", {}, "More controls: noise, test share, input features, momentum, loss, regularisation, seed, epochs, view"),
      group("data", C.noise.root, C.test.root, C.regen),
      features,
      group("training", C.momentum.root, C.loss.root, C.reg.root, C.regRate.root, el("div", { class: "bp-control" }, el("label", { for: id("seed") }, "seed of the weights and the minibatch order"), C.seed), C.limit.root),
      group("view", el("label", { class: "bp-check" }, C.showTest, " show test points"), el("label", { class: "bp-check" }, C.discretize, " discretize output")),
    );
    const figures = el(
      "div",
      { class: "bp-figures" },
      el("figure", { class: "bp-fig-regions" }, this.regions, (this.regionsCaption = el("figcaption", {}))),
      el("figure", {}, this.netChart, el("figcaption", {}, "The weights (blue positive, orange negative); under each layer a bar of ‖∂C/∂Wˡ‖ on a log scale, from 10⁻⁶ (empty) to 1 (full).")),
      el("figure", {}, this.lossChart, el("figcaption", {}, "Training loss (solid) and test loss (dashed) per epoch.")),
      el("figure", {}, this.gradChart, el("figcaption", {}, "‖∂C/∂Wˡ‖ of every layer per epoch: the δ recursion made visible.")),
    );
    this.root.replaceChildren(
      bar,
      el("div", { class: "bp-main" }, el("div", { class: "bp-side" }, main, this.more), el("div", { class: "bp-stage" }, this.statusOut, this.arch, figures, this.provenance)),
    );
    this.renderLayers();
    this.sync();
  }

  /** Controls that mean nothing at the current settings are disabled. */
  sync() {
    this.controls.loss.input.disabled = DATASETS[this.s.dataset].classes === 0; // regression: squared error
    this.controls.regRate.input.disabled = this.s.reg === "none";
  }

  renderLayers() {
    const s = this.s;
    const box = this.layersBox;
    const btn = (label, aria, fn, disabled) => el("button", { type: "button", "aria-label": aria, onclick: fn, disabled }, label);
    box.replaceChildren(
      el(
        "div",
        { class: "bp-layer-count" },
        btn("−", "remove a hidden layer", () => this.change({ layers: s.layers.slice(0, -1) }), s.layers.length === 0),
        el("span", { "aria-live": "polite" }, `${s.layers.length} hidden layer${s.layers.length === 1 ? "" : "s"}`),
        btn("+", "add a hidden layer", () => this.change({ layers: [...s.layers, s.layers.length ? s.layers[s.layers.length - 1] : 4] }), s.layers.length >= MAX_LAYERS),
      ),
    );
    s.layers.forEach((n, i) => {
      const set = (v) => {
        const layers = s.layers.slice();
        layers[i] = v;
        this.change({ layers });
      };
      box.append(
        el(
          "div",
          { class: "bp-layer" },
          el("span", {}, `layer ${i + 1}:`),
          btn("−", `fewer neurons in layer ${i + 1}`, () => set(n - 1), n <= 1),
          el("span", { class: "bp-neurons" }, `${n} neuron${n === 1 ? "" : "s"}`),
          btn("+", `more neurons in layer ${i + 1}`, () => set(n + 1), n >= MAX_NEURONS),
        ),
      );
    });
  }

  /** Apply a change; `retrain` false only redraws (view options). Restarts in this frame. */
  change(patch, retrain = true) {
    const layersChanged = "layers" in patch;
    const focused = document.activeElement?.getAttribute("aria-label");
    Object.assign(this.s, patch);
    if (layersChanged) {
      this.renderLayers();
      const focus = this.layersBox.querySelector(`button[aria-label="${focused}"]:not([disabled])`);
      (focus || this.layersBox.querySelector("button:not([disabled])"))?.focus();
    }
    this.sync();
    if (retrain) {
      this.stats.restarts++;
      this.running = true;
      this.restart(); // rebuilt and drawn at epoch 0 now; the next frame trains epoch 1
    } else this.draw();
  }

  restart() {
    this.run = build(this.s, this.ref);
    measure(this.run);
    this.t0 = performance.now();
    this.draw();
  }

  toggle() {
    if (!this.running && (this.run.trainer.epoch >= this.s.epochs || this.run.trainer.diverged)) this.restart();
    this.running = !this.running;
    this.draw();
  }

  /** One epoch, paused. At the limit (or after a divergence) the button is disabled: a run
   * ends at its "stop after" epoch, and raising the limit trains on (the same epochs first). */
  step() {
    this.running = false;
    advance(this.run);
    this.draw();
  }

  /** Every control back to its default, the network to its initial weights, epoch 0, paused. */
  reset() {
    const focused = document.activeElement === this.resetButton;
    this.s = defaults();
    this.running = false;
    this.render(); // the controls are drawn from this.s: all of them show the defaults again
    this.restart();
    if (focused) this.resetButton.focus();
  }

  say(text) {
    this.statusOut.textContent = text;
  }

  /** One animation frame: one epoch per 1/60 s since the last frame (1 to 8), then a redraw,
   * so a busy machine that draws fewer frames still trains (and charts) every epoch. */
  frame(now) {
    const dt = this.lastFrame === undefined ? 1000 / 60 : now - this.lastFrame;
    this.lastFrame = now;
    if (this.running) {
      const k = Math.max(1, Math.min(8, Math.round(dt / (1000 / 60))));
      for (let i = 0; i < k; i++) {
        if (advance(this.run)) this.stats.epochs++;
        else {
          this.running = false;
          break;
        }
      }
      this.draw();
    }
    this.stats.frames++;
    requestAnimationFrame(this.frame);
  }

  draw() {
    const run = this.run;
    const s = this.s;
    const ms = drawRegions(this.regions, run, this.offscreen);
    drawNetwork(this.netChart, run);
    this.stats.regionMs.push(ms);
    if (this.stats.regionMs.length > 600) this.stats.regionMs.shift();
    const xMax = Math.max(Number.isFinite(s.epochs) ? s.epochs : 0, run.trainLoss.length - 1, 10);
    const lossLabel = run.regression || s.loss === "mse" ? "loss (squared error)" : "loss (cross-entropy)";
    lineChart(this.lossChart, [
      { y: run.trainLoss, color: "ink", label: "training" },
      { y: run.testLoss, color: "#c0392b", dash: [5, 3], label: "test" },
    ], { xMax, yLabel: lossLabel });
    const L = run.net.L;
    const layers = [];
    for (let l = 1; l <= L; l++)
      layers.push({ y: run.gradNorms.map((g) => g[l - 1]), color: LAYER_COLORS[(l - 1) % LAYER_COLORS.length], label: weightSymbol(l) });
    lineChart(this.gradChart, layers, { xMax, yLabel: "‖∂C/∂Wˡ‖ (log)" });
    const [status, text] = diagnosis(run);
    this.status = status;
    this.statusOut.textContent = text;
    this.statusOut.className = `bp-status bp-${status}`;
    // a screen reader hears the words once training stops, not at every epoch
    this.statusOut.setAttribute("aria-live", this.running ? "off" : "polite");
    const e = run.trainer.epoch;
    const state = this.running ? "training" : run.trainer.diverged ? "stopped (diverged)" : e >= s.epochs ? "done" : "paused";
    this.epochOut.textContent = `epoch ${e} · ${state}`;
    // finished (or stopped by a divergence): the button starts the run again from epoch 0,
    // and there is no next epoch to step to
    const finished = run.trainer.diverged || e >= s.epochs;
    this.playButton.textContent = this.running ? "Pause" : finished ? "Run again" : "Play";
    this.playButton.setAttribute("aria-pressed", String(this.running));
    const stepFocused = document.activeElement === this.stepButton;
    this.stepButton.disabled = finished;
    this.stepButton.title = run.trainer.diverged
      ? "Training diverged: Run again, or change a setting."
      : finished
        ? `The run has reached its ${s.epochs} epochs: raise "stop after" to train on.`
        : "";
    if (finished && stepFocused) this.playButton.focus(); // a disabled button drops the focus
    const out = run.regression ? "identity" : "softmax";
    const H = run.net.L - 1;
    const body = H
      ? `${s.activation} hidden layer${H === 1 ? "" : "s"}, ${out} output`
      : `no hidden layer (a linear ${run.regression ? "model" : "softmax classifier"})`;
    this.arch.textContent = `Network ${run.net.sizes.join(" → ")}, ${body}, ${run.net.loss === "mse" ? "squared error" : "cross-entropy"}; η = ${s.learningRate}, B = ${s.batchSize}, μ = ${s.momentum}${s.reg === "none" ? "" : `, ${s.reg} λ = ${s.regRate}`}.`;
    const last = run.trainLoss.length - 1;
    // regression: the colour is the predicted value, not a class
    this.regionsCaption.textContent = run.regression
      ? "Predicted value (colour: orange negative, blue positive), training points (dots) and test points (triangles)."
      : "Decision regions: training points (dots) and test points (triangles).";
    this.regions.setAttribute(
      "aria-label",
      run.regression
        ? `predicted value after epoch ${e}, test loss ${fmt(run.testLoss[last])}`
        : `decision regions after epoch ${e}, test accuracy ${(100 * run.accuracy[last]).toFixed(1)} percent`,
    );
    this.lossChart.setAttribute("aria-label", `loss curves: training loss ${fmt(run.trainLoss[last])}, test loss ${fmt(run.testLoss[last])} after epoch ${e}`);
    this.netChart.setAttribute("aria-label", `the network ${run.net.sizes.join(", ")}: every weight as a line, blue positive, orange negative`);
    this.gradChart.setAttribute("aria-label", `gradient norms after epoch ${e}: ` + run.gradNorms[last].map((g, l) => `W${l + 1} ${fmt(g)}`).join(", "));
    const p = run.fromPython;
    this.provenance.textContent = p.data && p.weights && p.order
      ? "These are the data, initial weights and minibatch order of the chapter's Python run (seeds 0): the page reproduces the package's Python run of these settings."
      : `Data ${p.data ? "of the Python run" : "generated in the page"}, initial weights ${p.weights ? "of the Python run" : "drawn in the page"} (seed ${s.seed}). ` +
        `The page repeats the package's Python run of the same settings only with the chapter's data, layer sizes${this.ref ? ` (${this.ref.settings.sizes.join(" → ")})` : ""}, seed 0 and ` +
        "an activation whose initial weights are drawn as tanh's are (Glorot's; ReLU starts from He's): " +
        "here the numbers differ from those Python gives for these settings, while the equations are the same ones.";
  }
}

export async function mount(root) {
  const ref = await loadReference(new URL("./reference-playground.json", import.meta.url));
  const pg = new Playground(root, ref);
  root.bpTwin = pg;
  window.bpPlayground = pg;
  return pg;
}
