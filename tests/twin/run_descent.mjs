// The learning-rate explorer's rule in Node (tests/test_twin_descent.py): reads {reference,
// settings: [{learningRate, batchSize, momentum}], numbers: [[x, digits]]} on stdin and prints
// the twin's slider rates, thresholds, readable numbers and, for every setting, the loss curve,
// status and sentence the page would show, as JSON. An optional argument names another
// descent.js (a copy with a planted difference).
import { readFileSync } from "node:fs";
import { pathToFileURL } from "node:url";

const source = process.argv[2] ? pathToFileURL(process.argv[2]).href : "../../twin/descent.js";
const { problem, trainCurve, headline, readable, RATES, RISE, WOBBLE } = await import(source);
const job = JSON.parse(readFileSync(0, "utf8"));
const prob = problem(JSON.parse(readFileSync(job.reference, "utf8")).descent);
const runs = job.settings.map((s) => {
  const r = trainCurve(prob, s);
  return { loss: r.loss, status: r.status, headline: headline(r) };
});
const numbers = job.numbers.map(([x, digits]) => readable(x, digits));
process.stdout.write(JSON.stringify({ rates: RATES, rise: RISE, wobble: WOBBLE, numbers, runs }));
