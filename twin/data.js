// Data sets of the live pages, with the definitions of backprop.datasets (moons, circles,
// spirals, XOR) plus two of TensorFlow Playground's: Gaussian blobs and a regression plane.
// The random numbers come from a small seeded generator (not NumPy's), so a seed gives the same
// points on every visit; tests/twin/data.test.mjs checks their statistics against the
// definitions. The book's default runs use the exact points of the Python run instead (see
// twin/reference.js).

/** A seeded generator: uniform() in [0, 1), normal(), permutation(n). (mulberry32 + Box-Muller) */
export class Rng {
  constructor(seed) {
    this.s = (Math.imul(seed >>> 0, 0x9e3779b1) ^ 0x6d2b79f5) >>> 0;
    this.spare = null;
  }
  next() {
    let t = (this.s = (this.s + 0x6d2b79f5) >>> 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  uniform(lo = 0, hi = 1) {
    return lo + (hi - lo) * this.next();
  }
  normal() {
    if (this.spare !== null) {
      const s = this.spare;
      this.spare = null;
      return s;
    }
    let u = 0;
    while (u === 0) u = this.next();
    const r = Math.sqrt(-2 * Math.log(u));
    const t = 2 * Math.PI * this.next();
    this.spare = r * Math.sin(t);
    return r * Math.cos(t);
  }
  permutation(n) {
    const p = Array.from({ length: n }, (_, i) => i);
    for (let i = n - 1; i > 0; i--) {
      const j = Math.floor(this.next() * (i + 1));
      [p[i], p[j]] = [p[j], p[i]];
    }
    return p;
  }
}

function shuffled(X, y, rng) {
  const p = rng.permutation(X.length);
  return { X: p.map((i) => X[i]), y: p.map((i) => y[i]) };
}

/** Two interleaving half circles, n/2 points each (backprop.datasets.two_moons). */
export function moons(n, noise, rng) {
  const n0 = Math.floor(n / 2);
  const X = [];
  const y = [];
  const lin = (m, k) => (m > 1 ? (Math.PI * k) / (m - 1) : 0);
  for (let k = 0; k < n0; k++) X.push([Math.cos(lin(n0, k)), Math.sin(lin(n0, k))]), y.push(0);
  for (let k = 0; k < n - n0; k++)
    X.push([1 - Math.cos(lin(n - n0, k)), 0.5 - Math.sin(lin(n - n0, k))]), y.push(1);
  for (const p of X) (p[0] += noise * rng.normal()), (p[1] += noise * rng.normal());
  return shuffled(X, y, rng);
}

/** A circle of radius 0.5 (class 1) inside one of radius 1 (class 0) (datasets.circles). */
export function circles(n, noise, rng, factor = 0.5) {
  const n0 = Math.floor(n / 2);
  const X = [];
  const y = [];
  for (let k = 0; k < n; k++) {
    const t = rng.uniform(0, 2 * Math.PI);
    const r = k < n0 ? 1 : factor;
    X.push([r * Math.cos(t), r * Math.sin(t)]);
    y.push(k < n0 ? 0 : 1);
  }
  for (const p of X) (p[0] += noise * rng.normal()), (p[1] += noise * rng.normal());
  return shuffled(X, y, rng);
}

/** `classes` spiral arms of 1.5 turns, radius 0.05 to 1, noise on the angle (datasets.spirals). */
export function spirals(n, noise, rng, classes = 2, turns = 1.5) {
  const X = [];
  const y = [];
  for (let k = 0; k < classes; k++) {
    const m = Math.floor(n / classes) + (k < n % classes ? 1 : 0);
    for (let i = 0; i < m; i++) {
      const r = m > 1 ? 0.05 + (0.95 * i) / (m - 1) : 0.05;
      const t = 2 * Math.PI * turns * r + (2 * Math.PI * k) / classes + noise * rng.normal();
      X.push([r * Math.cos(t), r * Math.sin(t)]);
      y.push(k);
    }
  }
  return shuffled(X, y, rng);
}

/** Points uniform in [-1, 1]^2, label (x1 > 0) XOR (x2 > 0), then noise (datasets.xor). */
export function xor(n, noise, rng) {
  const X = [];
  const y = [];
  for (let k = 0; k < n; k++) {
    const p = [rng.uniform(-1, 1), rng.uniform(-1, 1)];
    y.push(p[0] > 0 !== p[1] > 0 ? 1 : 0);
    X.push(p);
  }
  for (const p of X) (p[0] += noise * rng.normal()), (p[1] += noise * rng.normal());
  return { X, y };
}

/** Two Gaussian blobs centred at (-0.5, -0.5) (class 0) and (0.5, 0.5), s.d. 0.15 + noise. */
export function blobs(n, noise, rng) {
  const X = [];
  const y = [];
  const sd = 0.15 + noise;
  for (let k = 0; k < n; k++) {
    const c = k % 2;
    const m = c ? 0.5 : -0.5;
    X.push([m + sd * rng.normal(), m + sd * rng.normal()]);
    y.push(c);
  }
  return shuffled(X, y, rng);
}

/** Regression: x uniform in [-1, 1]^2, target (x1 + x2) / 2 plus Gaussian noise (a plane). */
export function plane(n, noise, rng) {
  const X = [];
  const y = [];
  for (let k = 0; k < n; k++) {
    const p = [rng.uniform(-1, 1), rng.uniform(-1, 1)];
    X.push(p);
    y.push((p[0] + p[1]) / 2 + noise * rng.normal());
  }
  return { X, y };
}

/** name -> {label, make(n, noise, rng), classes (0 = regression)} */
export const DATASETS = {
  moons: { label: "two moons", make: moons, classes: 2 },
  circles: { label: "circles", make: circles, classes: 2 },
  xor: { label: "XOR", make: xor, classes: 2 },
  blobs: { label: "Gaussian blobs", make: blobs, classes: 2 },
  spirals: { label: "spirals, 2 arms", make: (n, s, r) => spirals(n, s, r, 2), classes: 2 },
  spirals3: { label: "spirals, 3 arms", make: (n, s, r) => spirals(n, s, r, 3), classes: 3 },
  plane: { label: "regression: a plane", make: plane, classes: 0 },
};

/** The input features of TensorFlow Playground (backprop.explore.playground.FEATURES). */
export const FEATURES = {
  x1: (p) => p[0],
  x2: (p) => p[1],
  "x1^2": (p) => p[0] * p[0],
  "x2^2": (p) => p[1] * p[1],
  "x1*x2": (p) => p[0] * p[1],
  "sin(x1)": (p) => Math.sin(p[0]),
  "sin(x2)": (p) => Math.sin(p[1]),
};

/** Shuffle with `rng` and hold out max(1, round(f M)) points (datasets.train_test_split). */
export function trainTestSplit(X, y, testFraction, rng) {
  const p = rng.permutation(X.length);
  const nTest = Math.max(1, Math.round(testFraction * X.length));
  const pick = (idx) => ({ X: idx.map((i) => X[i]), y: idx.map((i) => y[i]) });
  return { train: pick(p.slice(nTest)), test: pick(p.slice(0, nTest)) };
}
