// The live pages' models in Node (tests/test_twin.py): reads {reference, playground: [settings
// changes], descent: [settings]} on stdin and prints what each run shows, as JSON.
import { readFileSync } from "node:fs";
import { build, advance, measure, diagnosis, DEFAULTS } from "../../twin/playground.js";
import { problem, trainCurve, headline } from "../../twin/descent.js";

const job = JSON.parse(readFileSync(0, "utf8"));
const ref = JSON.parse(readFileSync(job.reference, "utf8"));
const playground = job.playground.map((changes) => {
  const s = { ...DEFAULTS, layers: DEFAULTS.layers.slice(), features: DEFAULTS.features.slice(), ...changes };
  const run = build(s, ref.playground);
  measure(run);
  while (advance(run));
  const [status, text] = diagnosis(run);
  return { fromPython: run.fromPython, trainLoss: run.trainLoss, testLoss: run.testLoss, accuracy: run.accuracy, gradNorms: run.gradNorms, status, text, epoch: run.trainer.epoch };
});
const prob = problem(ref.descent);
const descent = job.descent.map((s) => {
  const r = trainCurve(prob, s);
  return { loss: r.loss, status: r.status, headline: headline(r) };
});
process.stdout.write(JSON.stringify({ playground, descent }));
