// Runs the twin (twin/net.js) on cases exported by tests/test_twin.py: reads a JSON list of
// cases on stdin, trains each, writes the final parameters and losses as JSON on stdout.
import { readFileSync } from "node:fs";
// An optional argument names another copy of net.js (the tests plant errors in one).
import { pathToFileURL } from "node:url";

const source = process.argv[2] ? pathToFileURL(process.argv[2]).href : "../../twin/net.js";
const { Network, Trainer, fromRows } = await import(source);

const cases = JSON.parse(readFileSync(0, "utf8"));
const results = cases.map((c) => {
  const net = new Network(c.sizes, c).setParameters(c.weights, c.biases);
  const trainer = new Trainer(net, fromRows(c.X), fromRows(c.Y), {
    learningRate: c.learning_rate,
    batchSize: c.batch_size,
    momentum: c.momentum,
    l2: c.l2,
    l1: c.l1,
    order: (epoch) => c.orders[epoch - 1],
  });
  for (let e = 0; e < c.epochs; e++) if (trainer.runEpoch() === null) break;
  return {
    ...net.parameters(),
    losses: trainer.losses,
    steps: trainer.steps,
    diverged_epoch: trainer.divergedEpoch,
  };
});
process.stdout.write(JSON.stringify(results));
