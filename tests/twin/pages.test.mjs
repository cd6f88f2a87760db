// node --test tests/twin/ (run by tests/test_twin.py): the playground's words for runs that go
// wrong, without the Python reference (data and weights drawn in the page).
import { test } from "node:test";
import assert from "node:assert/strict";
import { build, advance, measure, diagnosis, DEFAULTS } from "../../twin/playground.js";

function run(changes) {
  const s = { ...DEFAULTS, layers: DEFAULTS.layers.slice(), features: DEFAULTS.features.slice(), ...changes };
  const r = build(s, null);
  measure(r);
  while (advance(r));
  return r;
}

// the package's own sentence says "the loss became infinite or NaN"; a NaN *value* is an error
const clean = (text) => !/(?<!infinite or )NaN|Infinity|undefined/.test(text);

test("a run that blows up is reported in words with a smaller rate, never as NaN", () => {
  const r = run({ activation: "identity", learningRate: 10, momentum: 0.99 });
  const [status, text] = diagnosis(r);
  assert.equal(status, "diverged");
  assert.match(text, /^Training diverged at epoch \d+: .* Try a learning rate below 1 \(it was 10\)\.$/);
  assert.ok(clean(text), text);
  assert.ok(r.trainLoss.every(Number.isFinite) && r.gradNorms.flat().every(Number.isFinite));
});

test("six sigmoid layers: vanishing gradients, named", () => {
  const r = run({ activation: "sigmoid", layers: [8, 8, 8, 8, 8, 8] });
  const [, text] = diagnosis(r);
  assert.match(text, /Vanishing gradients: at the start the gradient of W¹ is \d\.\de-\d\d times that of W⁷/);
  assert.ok(clean(text) && !text.includes("^"), text); // W¹ as the text prints it, no caret
});

test("ReLUs pushed below zero: dead units, named", () => {
  // a huge step kills every ReLU of a narrow layer: its gradient is then exactly zero
  const r = run({ activation: "relu", layers: [2], learningRate: 10, epochs: 100 });
  assert.deepEqual(r.gradNorms[r.gradNorms.length - 1], [0, 0]); // every ReLU is dead
  const [, text] = diagnosis(r);
  assert.match(text, /Dead units: from epoch \d+ on the gradient of W¹, W² is exactly zero/);
  assert.ok(clean(text), text);
});

test("every data set, the regression plane and L1 train to finite words", () => {
  for (const dataset of ["moons", "circles", "xor", "blobs", "spirals", "spirals3", "plane"]) {
    const r = run({ dataset, reg: "L1", regRate: 0.001 });
    const [status, text] = diagnosis(r);
    assert.ok(["ok", "overshoot"].includes(status), `${dataset}: ${text}`);
    assert.ok(clean(text), text);
    assert.equal(r.net.sizes.at(-1), dataset === "plane" ? 1 : dataset === "spirals3" ? 3 : 2);
  }
});
