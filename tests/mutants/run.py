"""Planted formula errors: how many does the unit-test suite catch on its own?

Each mutant changes one formula of the core package (a sign, a transpose, an index, a lost
1/M, the derivative of an activation or a loss, the momentum or L2 step, a weakness of the
gradient checker, ...). For every mutant the package is copied to a temporary folder, the one
change is applied there (the working tree is never touched), and the unit tests of the core run
against the copy (``PYTHONPATH`` puts it first). A mutant is *killed* when the tests fail.

    make mutants                      # all mutants, a table and the kill rate
    .venv/bin/python tests/mutants/run.py -k sigmoid   # only mutants whose name has "sigmoid"

The tests run are those of the core modules, a subset of ``make unit`` (which adds the
playground, widgets and site tests), so the kill rate printed is a lower bound for ``make unit``.
Exit status 1 when the kill rate is below ``--target`` (95 %).
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = ROOT / "src" / "backprop"
CORE_TESTS = [
    f"tests/test_{name}.py"
    for name in (
        "activations losses layers network train gradcheck symbolic datasets io errors formulas"
    ).split()
]

# (name, file, original text, mutated text): the original must occur exactly once.
MUTANTS = [
    # layers: the four equations and the forward map
    ("forward: W instead of W^T", "layers.py", "np.dot(A_prev, W.T)  #", "np.dot(A_prev, W)  #"),
    ("forward: bias subtracted", "layers.py", "    Z += b\n", "    Z -= b\n"),
    (
        "grad-W: extra 1/M",
        "layers.py",
        "np.dot(D.T, A_prev, out=dW)",
        "np.dot(D.T, A_prev, out=dW) / D.shape[0]",
    ),
    (
        "grad-W: delta a^T without the transpose",
        "layers.py",
        "np.dot(D.T, A_prev, out=dW)",
        "np.matmul(D, A_prev.T)",
    ),
    (
        "grad-b: sum over the wrong axis",
        "layers.py",
        "np.add.reduce(D, axis=0, out=db)",
        "np.add.reduce(D, axis=1)",
    ),
    (
        "grad-b: extra 1/M",
        "layers.py",
        "np.add.reduce(D, axis=0, out=db)",
        "np.add.reduce(D, axis=0) / D.shape[0]",
    ),
    (
        "recursion: W^T instead of W (rows)",
        "layers.py",
        "np.dot(D, W) if input_grad",
        "np.dot(D, W.T) if input_grad",
    ),
    ("mean: 1/n_l instead of 1/M", "layers.py", "1.0 / D.shape[0]", "1.0 / D.shape[1]"),
    ("mean: bias gradient not scaled", "layers.py", "        db *= s\n", ""),
    (
        "recursion: + sigma' instead of * sigma'",
        "layers.py",
        "dA * act.derivative(Z, A)",
        "dA + act.derivative(Z, A)",
    ),
    (
        "recursion: sigma'(z) computed from z where a is expected",
        "layers.py",
        "dA * act.derivative(Z, A)",
        "dA * act.derivative(Z, Z)",
    ),
    # network: the loop in the book's indices
    ("network: lost 1/M on the training path", "network.py", "scale=1.0 / X.shape[0]", "scale=1.0"),
    (
        "network: delta^L scaled the wrong way",
        "network.py",
        "            D *= scale\n",
        "            D /= scale\n",
    ),
    (
        "network: a^l instead of a^{l-1} in dW",
        "network.py",
        "(D, (a[l - 1], W[l]), 1.0, l > 1,",
        "(D, (a[l], W[l]), 1.0, l > 1,",
    ),
    (
        "network: sigma_l' for sigma_{l-1}'",
        "network.py",
        "(z[l - 1], a[l - 1], sigma[l - 1])",
        "(z[l - 1], a[l - 1], sigma[self.L])",
    ),
    (
        "network: backward mean times M",
        "network.py",
        "[g / M for g in grads]",
        "[g * 1.0 for g in grads]",
    ),
    (
        "network: output activation on every layer",
        "network.py",
        "activation_forward(z[l], sigma[l])",
        "activation_forward(z[l], sigma[self.L])",
    ),
    (
        "network: deltas sign flipped",
        "network.py",
        "D = self._loss.delta(z[L], a[L], Y)",
        "D = -self._loss.delta(z[L], a[L], Y)",
    ),
    # losses: value and output error
    (
        "mse delta: y - a",
        "losses.py",
        "return (A - Y) * derivative(Z, A)",
        "return (Y - A) * derivative(Z, A)",
    ),
    (
        "mse delta: factor 2",
        "losses.py",
        "return (A - Y) * derivative(Z, A)",
        "return 2 * (A - Y) * derivative(Z, A)",
    ),
    (
        "mse delta: sigma' forgotten",
        "losses.py",
        "return (A - Y) * derivative(Z, A)",
        "return (A - Y) + 0 * derivative(Z, A)",
    ),
    (
        "mse softmax: diagonal Jacobian only",
        "losses.py",
        "activations.softmax_vjp(A, A - Y)",
        "(A - Y) * A * (1 - A)",
    ),
    (
        "softmax CE delta: + y",
        "losses.py",
        "A * activations.row_reduce(np.add, Y) - Y",
        "A * activations.row_reduce(np.add, Y) + Y - 2 * Y * Y",
    ),
    (
        "softmax CE delta: a - 1",
        "losses.py",
        "A * activations.row_reduce(np.add, Y) - Y",
        "A - 1.0 * (Y > 0)",
    ),
    (
        "binary CE delta: extra sigma'",
        "losses.py",
        "    return A - Y  # (eq-ce-binary)",
        "    return (A - Y) * A * (1 - A)",
    ),
    ("mse value: no 1/2", "losses.py", "return 0.5 * np.einsum", "return 1.0 * np.einsum"),
    (
        "softmax CE value: sign",
        "losses.py",
        'return -np.einsum("mj,mj->m", Y, activations.log_softmax(Z))',
        'return np.einsum("mj,mj->m", Y, activations.log_softmax(Z))',
    ),
    (
        "binary CE value: softplus(-z)",
        "losses.py",
        "np.logaddexp(0.0, Z) - Y * Z",
        "np.logaddexp(0.0, -Z) - Y * Z",
    ),
    (
        "loss value: sum instead of mean",
        "losses.py",
        "return float(np.mean(self.per_sample(Z, A, Y)))",
        "return float(np.sum(self.per_sample(Z, A, Y)))",
    ),
    # activations
    ("sigmoid': a(1+a)", "activations.py", "return a * (1.0 - a)", "return a * (1.0 + a)"),
    (
        "sigmoid: negative branch",
        "activations.py",
        "np.where(z >= 0, out, e * out)",
        "np.where(z >= 0, out, out)",
    ),
    ("tanh': 1 - a", "activations.py", "return 1.0 - a * a", "return 1.0 - a"),
    ("relu': [z < 0]", "activations.py", "(z > 0).astype(z.dtype)", "(z < 0).astype(z.dtype)"),
    ("identity': 2", "activations.py", "return np.ones_like(z)", "return 2 * np.ones_like(z)"),
    (
        "softmax: shift by the minimum",
        "activations.py",
        "np.exp(Z - row_reduce(np.maximum, Z))",
        "np.exp(Z - row_reduce(np.minimum, Z))",
    ),
    (
        "row reduce: first column left out",
        "activations.py",
        "return ufunc.reduce(Z, axis=-1, keepdims=True)",
        "return ufunc.reduce(Z[..., 1:], axis=-1, keepdims=True)",
    ),
    (
        "log-softmax: + log-sum",
        "activations.py",
        "return shifted - np.log(",
        "return shifted + np.log(",
    ),
    (
        "softmax VJP: + (a.g)",
        "activations.py",
        "A * (G - np.sum(A * G, axis=-1, keepdims=True))",
        "A * (G + np.sum(A * G, axis=-1, keepdims=True))",
    ),
    (
        "softmax Jacobian: + aa^T",
        "activations.py",
        "np.diag(a) - np.outer(a, a)",
        "np.diag(a) + np.outer(a, a)",
    ),
    # train: the step and the batches
    (
        "SGD: step uphill",
        "train.py",
        "theta -= learning_rate * grad",
        "theta += learning_rate * grad",
    ),
    ("L2: sign", "train.py", "grad = grad + l2 * theta", "grad = grad - l2 * theta"),
    (
        "L2: on the biases too",
        "train.py",
        "update(net.biases[l], db[l], learning_rate, momentum, vb)",
        "update(net.biases[l], db[l], learning_rate, momentum, vb, l2)",
    ),
    ("momentum: v <- -mu v", "train.py", "velocity *= momentum", "velocity *= -momentum"),
    (
        "momentum: v <- mu v + eta g",
        "train.py",
        "velocity -= learning_rate * grad",
        "velocity += learning_rate * grad",
    ),
    ("momentum: theta - v", "train.py", "theta += velocity  #", "theta -= velocity  #"),
    (
        "L1: threshold without eta",
        "train.py",
        "shrink(theta, learning_rate * l1)",
        "shrink(theta, l1)",
    ),
    (
        "L1: not clipped at 0 (carries a weight across zero)",
        "train.py",
        "np.maximum(np.abs(theta) - threshold, 0.0)",
        "np.abs(theta) - threshold",
    ),
    (
        "L1: on the biases too",
        "train.py",
        "update(net.biases[l], db[l], learning_rate, momentum, vb)",
        "update(net.biases[l], db[l], learning_rate, momentum, vb, 0.0, l1)",
    ),
    (
        "batches: targets not shuffled with inputs",
        "train.py",
        "np.take(X, order, axis=0), np.take(Y, order, axis=0)",
        "np.take(X, order, axis=0), Y",
    ),
    (
        "batches: one row lost per batch",
        "train.py",
        "X_epoch[start : start + batch_size], Y_epoch[start : start + batch_size]",
        "X_epoch[start : start + batch_size - 1], Y_epoch[start : start + batch_size - 1]",
    ),
    # the checkers: they must not pass a broken gradient
    (
        "gradcheck: forward difference over 2h",
        "gradcheck.py",
        "G[idx] = (fp - fm) / (2 * h)",
        "G[idx] = (fp - fm) / h",
    ),
    ("gradcheck: min instead of max", "gradcheck.py", "else max(ew + eb)", "else min(ew + eb)"),
    (
        "gradcheck: passed if any layer passes",
        "gradcheck.py",
        "return all(e < tol for e in",
        "return any(e < tol for e in",
    ),
    (
        "gradcheck: a lax relative error",
        "gradcheck.py",
        "np.linalg.norm(a - b) / denom",
        "np.linalg.norm(a - b) / denom / 1e6",
    ),
    (
        "symbolic: only the first point checked",
        "symbolic.py",
        "for k, p in enumerate(points):",
        "for k, p in enumerate(points[:1]):",
    ),
    ("symbolic: sigmoid' = s(1+s)", "symbolic.py", "return s * (1 - s)", "return s * (1 + s)"),
    # data and files
    (
        "xor: and instead of xor",
        "datasets.py",
        "((X[:, 0] > 0) ^ (X[:, 1] > 0))",
        "((X[:, 0] > 0) & (X[:, 1] > 0))",
    ),
    (
        "io: parameters loaded as float32",
        "io.py",
        "out.append(arr.astype(dtype))",
        "out.append(arr.astype(np.float32).astype(dtype))",
    ),
]


def run_tests(src: Path, timeout: int) -> tuple[bool, float, str]:
    """Run the core tests against the package in ``src``; ``(failed, seconds, last line)``."""
    env = {**os.environ, "PYTHONPATH": str(src), "PYTHONDONTWRITEBYTECODE": "1"}
    cmd = [sys.executable, "-m", "pytest", "-x", "-q", "-p", "no:cacheprovider", *CORE_TESTS]
    t0 = time.perf_counter()
    try:
        proc = subprocess.run(
            cmd, cwd=ROOT, env=env, capture_output=True, text=True, timeout=timeout
        )
    except subprocess.TimeoutExpired:
        return True, time.perf_counter() - t0, "timed out (counted as killed)"
    lines = [line for line in proc.stdout.strip().splitlines() if line.strip()]
    return proc.returncode != 0, time.perf_counter() - t0, lines[-1] if lines else ""


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("-k", default="", help="only mutants whose name contains this text")
    parser.add_argument("--target", type=float, default=0.95, help="minimum kill rate")
    parser.add_argument("--timeout", type=int, default=600, help="seconds per mutant")
    args = parser.parse_args(argv)
    chosen = [m for m in MUTANTS if args.k.lower() in m[0].lower()]
    with tempfile.TemporaryDirectory(prefix="backprop-mutants-") as tmp:
        src = Path(tmp) / "src"
        shutil.copytree(PACKAGE, src / "backprop", ignore=shutil.ignore_patterns("__pycache__"))
        probe = subprocess.run(
            [sys.executable, "-c", "import backprop; print(backprop.__file__)"],
            env={**os.environ, "PYTHONPATH": str(src)},
            capture_output=True,
            text=True,
        )
        if not probe.stdout.startswith(str(src)):
            print(f"the copy is not the package imported: {probe.stdout or probe.stderr}")
            return 2
        failed, seconds, last = run_tests(src, args.timeout)
        print(
            f"baseline (no mutation): {'FAILS' if failed else 'passes'} in {seconds:.0f} s: {last}"
        )
        if failed:
            return 2
        killed, rows = 0, []
        for name, file, old, new in chosen:
            path = src / "backprop" / file
            original = path.read_text()
            if original.count(old) != 1:
                print(f"mutant {name!r}: the text to change occurs {original.count(old)} times")
                return 2
            path.write_text(original.replace(old, new))
            try:
                dead, seconds, last = run_tests(src, args.timeout)
            finally:
                path.write_text(original)
            killed += dead
            rows.append((name, file, dead, seconds, last))
            status = "killed" if dead else "SURVIVED"
            print(f"{status:9s} {seconds:5.1f} s  {file:15s} {name}  [{last[:70]}]", flush=True)
    rate = killed / len(chosen) if chosen else 0.0
    print(f"\n{killed} of {len(chosen)} planted errors killed by the core unit tests: {rate:.1%}")
    survivors = [r[0] for r in rows if not r[2]]
    if survivors:
        print("survivors: " + "; ".join(survivors))
    return 0 if rate >= args.target else 1


if __name__ == "__main__":
    sys.exit(main())
