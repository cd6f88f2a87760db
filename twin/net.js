// The browser twin of backprop.Network: forward pass, backpropagation and minibatch SGD, float64.
//
// Same names and layer indices as the book and the package (src/backprop/network.py, train.py,
// losses.py, activations.py): W[l] is W^l with shape (n_l, n_{l-1}), b[l] is b^l, l = 1..L;
// z[l], a[l] as in the text, a[0] = X. Samples are rows, as in the package: Z[l] = A[l-1] W[l]^T
// + b[l]. Every matrix is {rows, cols, data: Float64Array} in row-major order.
//
// tests/test_twin.py runs this file in Node against the package: the same initial weights,
// data and minibatch order give the same weights after hundreds of steps, to 1e-12.

// ------------------------------------------------------------------------------- matrices
export function matrix(rows, cols, data) {
  return { rows, cols, data: data || new Float64Array(rows * cols) };
}

function copyMatrix(A) {
  return matrix(A.rows, A.cols, Float64Array.from(A.data));
}

// ------------------------------------------------------------------------------- activations
// Each activation keeps its derivative beside it; the derivative takes z and a = sigma(z).
export const ACTIVATIONS = {
  sigmoid: {
    // sigma(z) = 1/(1+e^{-z}) without overflow: with e = e^{-|z|}, 1/(1+e) or e/(1+e).
    f: (z) => {
      const e = Math.exp(-Math.abs(z));
      const out = 1.0 / (1.0 + e);
      return z >= 0 ? out : e * out;
    },
    df: (z, a) => a * (1.0 - a),
  },
  tanh: { f: Math.tanh, df: (z, a) => 1.0 - a * a },
  relu: { f: (z) => (z > 0 || z !== z ? z : 0.0), df: (z) => (z > 0 ? 1.0 : 0.0) }, // NaN stays NaN
  identity: { f: (z) => z, df: () => 1.0 },
};

// Row-wise softmax a_i = e^{z_i - m} / sum_k e^{z_k - m}, m = max_k z_k  (eq-ce-softmax)
function softmaxRows(Z) {
  const A = matrix(Z.rows, Z.cols);
  const n = Z.cols;
  for (let m = 0; m < Z.rows; m++) {
    const o = m * n;
    let max = -Infinity;
    for (let j = 0; j < n; j++) if (Z.data[o + j] > max) max = Z.data[o + j];
    let sum = 0.0;
    for (let j = 0; j < n; j++) {
      const e = Math.exp(Z.data[o + j] - max);
      A.data[o + j] = e;
      sum += e;
    }
    for (let j = 0; j < n; j++) A.data[o + j] /= sum;
  }
  return A;
}

function logSumExp(Z, o, n) {
  let max = -Infinity;
  for (let j = 0; j < n; j++) if (Z.data[o + j] > max) max = Z.data[o + j];
  let sum = 0.0;
  for (let j = 0; j < n; j++) sum += Math.exp(Z.data[o + j] - max);
  return max + Math.log(sum);
}

// log(1 + e^z), finite for any finite z (numpy's logaddexp(0, z))
function softplus(z) {
  return z > 0 ? z + Math.log1p(Math.exp(-z)) : Math.log1p(Math.exp(z));
}

// ------------------------------------------------------------------------------- the network
export const OUTPUTS = ["identity", "sigmoid", "softmax"];
export const LOSSES = ["mse", "cross_entropy"];

/**
 * A network with sizes [n_0, ..., n_L]. `weights`/`biases` (optional) are 0-based lists as in
 * the package (weights[l-1] is W^l, nested arrays (n_l, n_{l-1})); without them the weights
 * are drawn from `rng` by the package's rule (Glorot uniform, He normal for ReLU; biases 0).
 */
export class Network {
  constructor(sizes, { hidden = "sigmoid", output = "sigmoid", loss = "mse" } = {}) {
    if (!(hidden in ACTIVATIONS)) throw new Error(`unknown hidden activation ${hidden}`);
    if (!OUTPUTS.includes(output)) throw new Error(`unknown output ${output}`);
    if (loss === "cross_entropy" && output === "identity")
      throw new Error("cross_entropy needs a sigmoid or softmax output");
    this.sizes = sizes.slice();
    this.L = sizes.length - 1;
    this.hidden = hidden;
    this.output = output;
    this.loss = loss;
    this.W = [null]; // W[l] is W^l, l = 1..L (index 0 unused, as in the text)
    this.b = [null];
    for (let l = 1; l <= this.L; l++) {
      this.W.push(matrix(sizes[l], sizes[l - 1]));
      this.b.push(matrix(1, sizes[l]));
    }
  }

  setParameters(weights, biases) {
    for (let l = 1; l <= this.L; l++) {
      this.W[l].data.set(weights[l - 1].flat());
      this.b[l].data.set(biases[l - 1]);
    }
    return this;
  }

  initialize(rng) {
    for (let l = 1; l <= this.L; l++) {
      const m = this.sizes[l - 1];
      const n = this.sizes[l];
      const W = this.W[l].data;
      if (this.hidden === "relu") {
        const s = Math.sqrt(2.0 / m); // He: normal with variance 2 / n_{l-1}
        for (let i = 0; i < W.length; i++) W[i] = s * rng.normal();
      } else {
        const r = Math.sqrt(6.0 / (m + n)); // Glorot: U(-r, r)
        for (let i = 0; i < W.length; i++) W[i] = rng.uniform(-r, r);
      }
      this.b[l].data.fill(0.0);
    }
    return this;
  }

  copy() {
    const net = new Network(this.sizes, this);
    for (let l = 1; l <= this.L; l++) {
      net.W[l] = copyMatrix(this.W[l]);
      net.b[l] = copyMatrix(this.b[l]);
    }
    return net;
  }

  parameters() {
    const out = { weights: [], biases: [] };
    for (let l = 1; l <= this.L; l++) {
      const W = this.W[l];
      const rows = [];
      for (let i = 0; i < W.rows; i++) rows.push(Array.from(W.data.subarray(i * W.cols, (i + 1) * W.cols)));
      out.weights.push(rows);
      out.biases.push(Array.from(this.b[l].data));
    }
    return out;
  }

  activation(l) {
    return l === this.L ? this.output : this.hidden;
  }

  // ----------------------------------------------------------------------------- forward
  /** Forward pass over the rows of X (M, n_0): every z[l] (l = 1..L) and a[l] (l = 0..L). */
  forward(X) {
    const z = [null];
    const a = [X];
    let A = X;
    for (let l = 1; l <= this.L; l++) {
      const W = this.W[l];
      const b = this.b[l].data;
      const M = A.rows;
      const n = W.rows;
      const k = W.cols;
      // z^l = W^l a^{l-1} + b^l, one row per sample  (eq-forward-z), (eq-forward-batch)
      const Z = matrix(M, n);
      for (let m = 0; m < M; m++) {
        const ao = m * k;
        for (let i = 0; i < n; i++) {
          const wo = i * k;
          let s = 0.0;
          for (let j = 0; j < k; j++) s += A.data[ao + j] * W.data[wo + j];
          Z.data[m * n + i] = s + b[i];
        }
      }
      // a^l = sigma_l(z^l)  (eq-forward-a)
      let Anext;
      if (l === this.L && this.output === "softmax") Anext = softmaxRows(Z);
      else {
        const f = ACTIVATIONS[this.activation(l)].f;
        Anext = matrix(M, n);
        for (let i = 0; i < Z.data.length; i++) Anext.data[i] = f(Z.data[i]);
      }
      z.push(Z);
      a.push(Anext);
      A = Anext;
    }
    return { z, a };
  }

  predict(X) {
    return this.forward(X).a[this.L];
  }

  // ----------------------------------------------------------------------------- loss
  /** Per-sample losses C_m (M,) of the outputs against Y (M, n_L). */
  perSampleLoss(fp, Y) {
    const Z = fp.z[this.L];
    const A = fp.a[this.L];
    const M = Z.rows;
    const n = Z.cols;
    const out = new Float64Array(M);
    for (let m = 0; m < M; m++) {
      const o = m * n;
      let c = 0.0;
      if (this.loss === "mse") {
        // C_m = 1/2 ||a_m - y_m||^2  (eq-loss-one)
        for (let j = 0; j < n; j++) {
          const d = A.data[o + j] - Y.data[o + j];
          c += d * d;
        }
        c *= 0.5;
      } else if (this.output === "softmax") {
        // C_m = -sum_j y_j log softmax(z)_j = sum_j y_j (lse(z) - z_j)  (eq-ce-cost), (eq-ce-lse)
        const lse = logSumExp(Z, o, n);
        for (let j = 0; j < n; j++) c -= Y.data[o + j] * (Z.data[o + j] - lse);
      } else {
        // binary cross-entropy from the logits: sum_j softplus(z_j) - y_j z_j
        for (let j = 0; j < n; j++) c += softplus(Z.data[o + j]) - Y.data[o + j] * Z.data[o + j];
      }
      out[m] = c;
    }
    return out;
  }

  /** The mean loss C = (1/M) sum_m C_m  (eq-loss-mean). */
  lossOf(X, Y) {
    const c = this.perSampleLoss(this.forward(X), Y);
    let s = 0.0;
    for (let m = 0; m < c.length; m++) s += c[m];
    return s / c.length;
  }

  // ----------------------------------------------------------------------------- backward
  /** delta^L_m = dC_m/dz^L_m for every row, times `scale`  (eq-delta-output). */
  outputDelta(fp, Y, scale = 1.0) {
    const L = this.L;
    const Z = fp.z[L];
    const A = fp.a[L];
    const n = A.cols;
    const D = matrix(A.rows, n);
    const a = A.data;
    const y = Y.data;
    const d = D.data;
    if (this.loss === "cross_entropy" && this.output === "softmax") {
      // delta^L = a (sum_j y_j) - y, which is a - y for one-hot targets  (eq-ce-delta)
      for (let m = 0; m < A.rows; m++) {
        const o = m * n;
        let ysum = 0.0;
        for (let j = 0; j < n; j++) ysum += y[o + j];
        for (let j = 0; j < n; j++) d[o + j] = a[o + j] * ysum - y[o + j];
      }
    } else if (this.loss === "cross_entropy") {
      for (let i = 0; i < d.length; i++) d[i] = a[i] - y[i]; // sigmoid: a - y  (eq-ce-binary)
    } else if (this.output === "softmax") {
      // MSE after a softmax: J^T (a - y) = a (g - a.g) with g = a - y
      for (let m = 0; m < A.rows; m++) {
        const o = m * n;
        let ag = 0.0;
        for (let j = 0; j < n; j++) ag += a[o + j] * (a[o + j] - y[o + j]);
        for (let j = 0; j < n; j++) d[o + j] = a[o + j] * (a[o + j] - y[o + j] - ag);
      }
    } else {
      // (a^L - y) . sigma_L'(z^L)  (eq-delta-output)
      const df = ACTIVATIONS[this.output].df;
      for (let i = 0; i < d.length; i++) d[i] = (a[i] - y[i]) * df(Z.data[i], a[i]);
    }
    if (scale !== 1.0) for (let i = 0; i < d.length; i++) d[i] *= scale;
    return D;
  }

  /**
   * Backpropagation: the per-sample deltas delta[l] (one row per sample, times `scale`) and the
   * gradients dW[l], db[l]. The default `scale` = 1/M gives the gradient of the mean loss, as
   * the package's training loop does: the recursion is linear in delta, so scaling delta^L once
   * turns the averages (eq-mb-dW), (eq-mb-db) into plain sums.
   */
  backward(fp, Y, scale) {
    const L = this.L;
    const M = fp.a[0].rows;
    if (scale === undefined) scale = 1.0 / M;
    const delta = new Array(L + 1).fill(null);
    delta[L] = this.outputDelta(fp, Y, scale);
    const df = ACTIVATIONS[this.hidden].df;
    for (let l = L - 1; l >= 1; l--) {
      // delta^l = ((W^{l+1})^T delta^{l+1}) . sigma'(z^l), as rows: D[l+1] W[l+1]  (eq-delta-recursion)
      const Dn = delta[l + 1];
      const W = this.W[l + 1];
      const n = W.cols; // n_l
      const k = W.rows; // n_{l+1}
      const D = matrix(M, n);
      const z = fp.z[l].data;
      const a = fp.a[l].data;
      for (let m = 0; m < M; m++) {
        for (let j = 0; j < n; j++) {
          let s = 0.0;
          for (let i = 0; i < k; i++) s += Dn.data[m * k + i] * W.data[i * n + j];
          const q = m * n + j;
          D.data[q] = s * df(z[q], a[q]);
        }
      }
      delta[l] = D;
    }
    const dW = [null];
    const db = [null];
    for (let l = 1; l <= L; l++) {
      const D = delta[l];
      const Ap = fp.a[l - 1];
      const n = D.cols;
      const k = Ap.cols;
      // dC/dW^l = sum_m delta^l_m (a^{l-1}_m)^T  (eq-grad-W), averaged by `scale`  (eq-mb-dW)
      const G = matrix(n, k);
      for (let i = 0; i < n; i++) {
        for (let j = 0; j < k; j++) {
          let s = 0.0;
          for (let m = 0; m < M; m++) s += D.data[m * n + i] * Ap.data[m * k + j];
          G.data[i * k + j] = s;
        }
      }
      // dC/db^l = sum_m delta^l_m  (eq-grad-b), (eq-mb-db)
      const g = matrix(1, n);
      for (let m = 0; m < M; m++) for (let i = 0; i < n; i++) g.data[i] += D.data[m * n + i];
      dW.push(G);
      db.push(g);
    }
    return { delta, dW, db };
  }

  /** Gradients of the mean loss on (X, Y), and the per-layer Frobenius norms ||dC/dW^l||. */
  gradientNorms(X, Y) {
    const { dW } = this.backward(this.forward(X), Y);
    const norms = [];
    for (let l = 1; l <= this.L; l++) {
      let s = 0.0;
      for (const v of dW[l].data) s += v * v;
      norms.push(Math.sqrt(s));
    }
    return norms;
  }
}

// ------------------------------------------------------------------------------- training
/**
 * Minibatch SGD with momentum, L2 and L1, the update of backprop.train.fit (train.update):
 *   g = dC_B/dW^l + lambda_2 W^l                                (eq-pg-l2); biases: dC_B/db^l
 *   v <- mu v - eta g,  theta <- theta + v                     (eq-gd-momentum)
 *   mu = 0:  theta <- theta - eta g                            (eq-gd-update)
 *   then, weights only: W <- sign(W) max(|W| - eta lambda_1, 0) (eq-pg-l1)
 * (the soft threshold stops a weight at zero instead of pushing it across; v is not changed by it).
 * `order(epoch)` (1-based) returns the sample order of that epoch (a permutation of 0..M-1).
 */
export class Trainer {
  constructor(net, X, Y, opts) {
    this.net = net;
    this.X = X;
    this.Y = Y;
    this.M = X.rows;
    this.learningRate = opts.learningRate;
    this.momentum = opts.momentum || 0.0;
    this.l2 = opts.l2 || 0.0;
    this.l1 = opts.l1 || 0.0;
    this.batchSize = Math.min(opts.batchSize, this.M);
    this.order = opts.order;
    this.epoch = 0;
    this.steps = 0;
    this.diverged = false;
    this.divergedEpoch = null;
    this.losses = [];
    this.vW = null;
    if (this.momentum > 0) {
      this.vW = [null];
      this.vb = [null];
      for (let l = 1; l <= net.L; l++) {
        this.vW.push(matrix(net.W[l].rows, net.W[l].cols));
        this.vb.push(matrix(1, net.b[l].cols));
      }
    }
  }

  step(Xb, Yb) {
    const net = this.net;
    const { dW, db } = net.backward(net.forward(Xb), Yb, 1.0 / Xb.rows);
    const lr = this.learningRate;
    const mu = this.momentum;
    for (let l = 1; l <= net.L; l++) {
      const W = net.W[l].data;
      const b = net.b[l].data;
      const gW = dW[l].data;
      const gb = db[l].data;
      if (this.l2) for (let i = 0; i < W.length; i++) gW[i] += this.l2 * W[i];
      if (this.vW === null) {
        for (let i = 0; i < W.length; i++) W[i] -= gW[i] * lr;
        for (let i = 0; i < b.length; i++) b[i] -= gb[i] * lr;
      } else {
        const vW = this.vW[l].data;
        const vb = this.vb[l].data;
        for (let i = 0; i < W.length; i++) {
          vW[i] = vW[i] * mu - lr * gW[i];
          W[i] += vW[i];
        }
        for (let i = 0; i < b.length; i++) {
          vb[i] = vb[i] * mu - lr * gb[i];
          b[i] += vb[i];
        }
      }
      if (this.l1) {
        // soft threshold, as train.shrink: |W| - eta lambda_1 clipped at 0, with W's sign  (eq-pg-l1)
        const t = lr * this.l1;
        for (let i = 0; i < W.length; i++) {
          const w = W[i]; // NaN stays NaN (a diverged run must still be seen as one)
          W[i] = w > t ? w - t : w < -t ? w + t : Number.isNaN(w) ? w : 0;
        }
      }
    }
    this.steps++;
  }

  _snapshot() {
    const net = this.net;
    const keep = (list) => list.map((A) => (A ? Float64Array.from(A.data) : null));
    return { W: keep(net.W), b: keep(net.b), vW: this.vW && keep(this.vW), vb: this.vW && keep(this.vb) };
  }

  _restore(s) {
    const net = this.net;
    for (let l = 1; l <= net.L; l++) {
      net.W[l].data.set(s.W[l]);
      net.b[l].data.set(s.b[l]);
      if (this.vW) {
        this.vW[l].data.set(s.vW[l]);
        this.vb[l].data.set(s.vb[l]);
      }
    }
  }

  /**
   * One epoch: every sample once, in the order of `order(epoch)`, in batches of batchSize (the
   * last may be smaller). Returns the training loss after it, or null if the run diverged
   * (the loss or a weight became NaN or infinite: the weights from before the epoch are kept).
   */
  runEpoch() {
    if (this.diverged) return null;
    const net = this.net;
    const epoch = this.epoch + 1;
    const saved = this._snapshot();
    const order = this.order(epoch);
    const n0 = this.X.cols;
    const nL = this.Y.cols;
    for (let start = 0; start < this.M; start += this.batchSize) {
      const B = Math.min(this.batchSize, this.M - start);
      const Xb = matrix(B, n0);
      const Yb = matrix(B, nL);
      for (let r = 0; r < B; r++) {
        const i = order[start + r];
        for (let j = 0; j < n0; j++) Xb.data[r * n0 + j] = this.X.data[i * n0 + j];
        for (let j = 0; j < nL; j++) Yb.data[r * nL + j] = this.Y.data[i * nL + j];
      }
      this.step(Xb, Yb);
    }
    const loss = net.lossOf(this.X, this.Y);
    let finite = Number.isFinite(loss);
    for (let l = 1; finite && l <= net.L; l++)
      for (const w of net.W[l].data)
        if (!Number.isFinite(w)) {
          finite = false;
          break;
        }
    if (!finite) {
      this._restore(saved);
      this.diverged = true;
      this.divergedEpoch = epoch;
      return null;
    }
    this.epoch = epoch;
    this.losses.push(loss);
    return loss;
  }
}

/** Rows of numbers -> matrix; labels (M,) -> one-hot (M, k). */
export function fromRows(rows) {
  const M = rows.length;
  const n = M ? rows[0].length : 0;
  const A = matrix(M, n);
  for (let m = 0; m < M; m++) for (let j = 0; j < n; j++) A.data[m * n + j] = rows[m][j];
  return A;
}

export function oneHot(labels, k) {
  const Y = matrix(labels.length, k);
  labels.forEach((c, m) => {
    Y.data[m * k + c] = 1.0;
  });
  return Y;
}

// ------------------------------------------------------------------------------- diagnosis
// The words of backprop.train (suggested_rate, divergence_message) and of
// backprop.explore.playground (diagnose, gradient_notes), for the live pages.
export const GROWTH = 2.0;

export function suggestedRate(lr) {
  return Number((lr / 10).toPrecision(1));
}

/** Python's f"{x:.3g}" (fewest digits, exponent below 1e-4 or from 10^digits on); never NaN. */
export function fmt(x, digits = 3) {
  if (!Number.isFinite(x)) return "—";
  if (x === 0) return "0";
  const [mant, exp] = x.toExponential(digits - 1).split("e");
  const e = Number(exp);
  const strip = (t) => (t.includes(".") ? t.replace(/0+$/, "").replace(/\.$/, "") : t);
  if (e < -4 || e >= digits) return `${strip(mant)}e${e < 0 ? "-" : "+"}${String(Math.abs(e)).padStart(2, "0")}`;
  return strip(x.toFixed(Math.max(0, digits - 1 - e)));
}

export function divergenceMessage(losses, epoch, lr) {
  let text =
    `Training diverged at epoch ${epoch}: the loss became infinite or NaN, so the step ` +
    `overshoots the minimum. The weights from before epoch ${epoch} were kept.`;
  const finite = losses.filter(Number.isFinite);
  if (finite.length >= 2 && finite[0] > 0) {
    const factor = finite[finite.length - 1] / finite[0];
    if (factor > 1)
      text += ` Before that the loss grew by a factor ${fmt(factor)} between epoch 1 and epoch ${finite.length}.`;
  }
  return text + ` Try a learning rate below ${fmt(suggestedRate(lr))} (it was ${fmt(lr)}).`;
}

/** ["ok" | "overshoot", message] for a finite loss curve (entry 0 before training). */
export function overshoot(losses, lr) {
  if (!(losses[0] > 0)) return ["ok", ""];
  let worst = 0;
  for (let e = 0; e < losses.length; e++) if (losses[e] / losses[0] > losses[worst] / losses[0]) worst = e;
  const g = losses[worst] / losses[0];
  if (g <= GROWTH) return ["ok", ""];
  const first = losses.findIndex((v) => v / losses[0] > GROWTH);
  return [
    "overshoot",
    `The step overshoots: the training loss grew by a factor ${fmt(g)} at epoch ${worst} (from ` +
      `${fmt(losses[0])} before training to ${fmt(losses[worst])}; it first exceeded ${GROWTH} times ` +
      `its start at epoch ${first}). Try a learning rate below ${fmt(suggestedRate(lr))} (it was ${fmt(lr)}).`,
  ];
}

/** Python's f"{x:.1e}": one decimal, an exponent of at least two digits (1.4e-04). */
export const exp1 = (x) => x.toExponential(1).replace(/e([+-])(\d)$/, "e$1" + "0$2");

/** The digits of n as superscripts: superscript(12) is "¹²". */
export const superscript = (n) => String(n).replace(/\d/g, (d) => "⁰¹²³⁴⁵⁶⁷⁸⁹"[d]);

/** W^l in words a reader sees, W¹ (playground.weight_symbol). */
export const weightSymbol = (l) => `W${superscript(l)}`;

/** Words for dead units, vanishing and exploding gradients from the per-epoch norms. */
export function gradientNotes(gradNorms) {
  const notes = [];
  if (!gradNorms.length) return notes;
  const last = gradNorms[gradNorms.length - 1];
  const allFinite = last.every(Number.isFinite);
  const dead = [];
  last.forEach((v, l) => {
    if (v === 0 && allFinite) dead.push(l);
  });
  if (dead.length) {
    let since = 0;
    gradNorms.forEach((row, e) => {
      if (dead.some((l) => row[l] !== 0)) since = e + 1;
    });
    since = Math.min(since, gradNorms.length - 1);
    notes.push(
      `Dead units: from epoch ${since} on the gradient of ${dead.map((l) => weightSymbol(l + 1)).join(", ")} ` +
        `is exactly zero. Units that output 0 with slope 0 on every sample (ReLUs pushed below 0) ` +
        `pass no error back, so these weights no longer learn. Try a smaller learning rate or more neurons.`,
    );
  }
  const first = gradNorms[0];
  const L = first.length;
  if (L < 2 || !first.every(Number.isFinite) || first[L - 1] === 0) return notes;
  const ratio = first[0] / first[L - 1];
  if (ratio < 1e-2)
    notes.push(
      `Vanishing gradients: at the start the gradient of ${weightSymbol(1)} is ${exp1(ratio)} times that ` +
        `of ${weightSymbol(L)}, so the first layer barely learns.`,
    );
  else if (ratio > 1e2)
    notes.push(`Exploding gradients: at the start the gradient of ${weightSymbol(1)} is ${exp1(ratio)} times that of ${weightSymbol(L)}.`);
  return notes;
}

/** Words for the weights L1 set to exactly zero (playground.l1_notes); W is [null, W¹, ...]. */
export function l1Notes(W, l1, lr) {
  if (!l1) return [];
  const layers = [];
  for (let l = 1; l < W.length; l++) if (W[l].data.every((w) => w === 0)) layers.push(l);
  if (layers.length)
    return [
      `L1 set every weight of ${layers.length === 1 ? `layer ${layers[0]}` : `layers ${layers.join(", ")}`} to exactly 0: ` +
        `each step moves a weight ηλ = ${fmt(lr * l1)} towards 0, more than the gradient pulls back, so no error ` +
        `passes back and the network predicts the same for every point. Try a smaller λ.`,
    ];
  let zero = 0;
  let n = 0;
  for (let l = 1; l < W.length; l++) {
    for (const w of W[l].data) if (w === 0) zero++;
    n += W[l].data.length;
  }
  return [`L1 set ${zero} of ${n} weights to exactly 0.`];
}
