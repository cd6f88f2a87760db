// node --test tests/twin/ (run by tests/test_twin.py): the page's data sets and generator.
import { test } from "node:test";
import assert from "node:assert/strict";
import { Rng, DATASETS, FEATURES, moons, circles, spirals, xor, blobs, plane, trainTestSplit } from "../../twin/data.js";

const mean = (a) => a.reduce((s, v) => s + v, 0) / a.length;
const sd = (a) => Math.sqrt(mean(a.map((v) => (v - mean(a)) ** 2)));
const byClass = ({ X, y }, c, j) => X.filter((_, m) => y[m] === c).map((p) => p[j]);

test("the generator: uniform in [0, 1), standard normal, permutations", () => {
  const r = new Rng(5);
  const u = Array.from({ length: 20000 }, () => r.next());
  assert.ok(u.every((v) => v >= 0 && v < 1));
  assert.ok(Math.abs(mean(u) - 0.5) < 0.01);
  const z = Array.from({ length: 20000 }, () => r.normal());
  assert.ok(Math.abs(mean(z)) < 0.03 && Math.abs(sd(z) - 1) < 0.03);
  const p = r.permutation(100);
  assert.deepEqual([...p].sort((a, b) => a - b), Array.from({ length: 100 }, (_, i) => i));
  assert.notDeepEqual(r.permutation(100), p); // a new order each call
  assert.deepEqual(new Rng(7).permutation(50), new Rng(7).permutation(50)); // same seed, same order
});

test("moons without noise lie on the two half circles of datasets.two_moons", () => {
  const d = moons(200, 0, new Rng(1));
  assert.equal(d.X.length, 200);
  d.X.forEach((p, m) => {
    const c = d.y[m] === 0 ? [0, 0] : [1, 0.5];
    assert.ok(Math.abs(Math.hypot(p[0] - c[0], p[1] - c[1]) - 1) < 1e-12);
    assert.ok(d.y[m] === 0 ? p[1] >= -1e-12 : p[1] <= 0.5 + 1e-12);
  });
  // class means of the definition: (0, 2/pi) and (1, 1/2 - 2/pi), to the sampling of 100 points
  assert.ok(Math.abs(mean(byClass(d, 0, 1)) - 2 / Math.PI) < 0.01);
  assert.ok(Math.abs(mean(byClass(d, 1, 0)) - 1) < 0.01);
  const noisy = moons(4000, 0.2, new Rng(2));
  const clean = moons(4000, 0, new Rng(2));
  // noise 0.2 adds 0.2^2 to the variance of each coordinate
  assert.ok(Math.abs(sd(noisy.X.map((p) => p[0])) ** 2 - sd(clean.X.map((p) => p[0])) ** 2 - 0.04) < 0.01);
});

test("circles: radii 1 and 0.5; spirals: radius 0.05..1 and one arm per class", () => {
  const c = circles(400, 0, new Rng(3));
  c.X.forEach((p, m) => assert.ok(Math.abs(Math.hypot(...p) - (c.y[m] ? 0.5 : 1)) < 1e-12));
  assert.equal(c.y.filter((v) => v === 1).length, 200);
  const s = spirals(300, 0, new Rng(4), 3);
  assert.deepEqual([0, 1, 2].map((k) => s.y.filter((v) => v === k).length), [100, 100, 100]);
  const r = s.X.map((p) => Math.hypot(...p));
  assert.ok(Math.abs(Math.min(...r) - 0.05) < 1e-12 && Math.abs(Math.max(...r) - 1) < 1e-12);
});

test("XOR labels, blobs centred at -+0.5, the regression plane", () => {
  const x = xor(500, 0, new Rng(5));
  x.X.forEach((p, m) => assert.equal(x.y[m], p[0] > 0 !== p[1] > 0 ? 1 : 0));
  const b = blobs(4000, 0.1, new Rng(6));
  assert.ok(Math.abs(mean(byClass(b, 0, 0)) + 0.5) < 0.02 && Math.abs(mean(byClass(b, 1, 1)) - 0.5) < 0.02);
  assert.ok(Math.abs(sd(byClass(b, 1, 0)) - 0.25) < 0.02);
  const q = plane(4000, 0, new Rng(7));
  q.X.forEach((p, m) => assert.ok(Math.abs(q.y[m] - (p[0] + p[1]) / 2) < 1e-15));
  assert.equal(DATASETS.plane.classes, 0);
  assert.equal(DATASETS.spirals3.classes, 3);
});

test("train/test split and features", () => {
  const d = moons(200, 0.1, new Rng(8));
  const { train, test: held } = trainTestSplit(d.X, d.y, 0.3, new Rng(9));
  assert.equal(held.X.length, 60);
  assert.equal(train.X.length, 140);
  assert.equal(new Set([...train.X, ...held.X]).size, 200); // every point once
  assert.equal(FEATURES["x1*x2"]([2, 3]), 6);
  assert.equal(FEATURES["sin(x2)"]([0, Math.PI / 2]), 1);
});
