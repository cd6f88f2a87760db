"""Benchmarks of the `backprop` package against PyTorch (CPU) and scikit-learn.

Run with ``make bench`` (``BENCH_ARGS="--write"`` also writes ``benchmarks/results.md``; the
file is a generated artifact, written only when asked). The exit status is 1 when a target is
missed, 0 otherwise (a comparison that cannot run, e.g. without PyTorch, is reported as skipped).

How the times are taken, so that the ratios do not depend on the order of the two sides:

* **each side in its own process.** A comparison runs ``--rounds`` rounds; in each round every
  side is timed by a fresh ``python benchmarks/run.py --worker CASE --side SIDE`` process (the
  order of the sides alternates between rounds), which builds its data, runs one warm-up and
  then ``--repeats`` timed runs, and reports the median. On 2 cores, timing both sides
  alternately in one process measured ratios 30 % lower: BLAS/OpenMP threads of the side that
  has just run keep spinning and slow the other one down.
* **the same work and the same threads on both sides**: the same data, architecture, dtype,
  batch size and number of steps; the BLAS threads (threadpoolctl) and PyTorch's threads are set
  to the same number (``--threads``, default the BLAS default) in every worker.
* **the spread is reported**: the median over the rounds and the range (min-max) of the
  per-round values, for each side and for the ratio, and the load average of the machine
  around each comparison (other jobs on a 2-core machine make the times noisy).

PyTorch is optional and never a requirement: without it the PyTorch rows are skipped. A
PyTorch installed elsewhere can be used with ``BACKPROP_BENCH_TORCH_PATH=/path/to/site-packages``.
``--baseline REV`` also times the package as it was at git revision ``REV`` (its ``src``
extracted with ``git archive`` into a temporary folder) in the training and playground rows,
to show what a change did. ``--build`` also times ``make book`` (minutes). ``--quick`` runs
every case with tiny sizes once (a smoke test; nothing is judged).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import platform
import statistics
import subprocess
import sys
import tarfile
import tempfile
import time
import warnings
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
RESULTS = HERE / "results.md"
RELU_NET = (784, 256, 128, 10)
TINY_NET = (2, 16, 16, 2)
QUICK_NET = (32, 16, 8, 4)


# ============================================================================ the work
def classification_data(n: int, n_in: int, n_classes: int, dtype, seed: int = 0):
    """Inputs in [0, 1) of shape ``(n, n_in)`` and integer labels ``(n,)``, both seeded."""
    rng = np.random.default_rng(seed)
    X = rng.random((n, n_in)).astype(dtype)
    y = rng.integers(0, n_classes, size=n)
    return X, y


def matmul_flops(sizes, M: int) -> dict:
    r"""Exact multiply-add count (2 flops each) of the matrix products of one training step.

    Forward: $Z^l = A^{l-1} (W^l)^\mathsf{T}$ costs $2 M n_{l-1} n_l$ for every layer.
    Backward: $\partial C/\partial W^l = (\Delta^l)^\mathsf{T} A^{l-1}$ costs the same for every
    layer, and $\Delta^{l} W^{l}$ (the error sent to layer $l-1$) is needed for $l \ge 2$ only.
    """
    per_layer = [2 * M * a * b for a, b in zip(sizes[:-1], sizes[1:])]
    forward = sum(per_layer)
    backward = forward + (forward - per_layer[0])
    return {"forward": forward, "backward": backward, "step": forward + backward}


def step_gemms(sizes, M: int, dtype, seed: int = 0) -> list:
    """The matrix products of one training step, as ``(A, B)`` pairs of random operands."""
    rng = np.random.default_rng(seed)
    r = lambda *shape: rng.random(shape, dtype=np.float64).astype(dtype)  # noqa: E731
    pairs = []
    for l, (m, n) in enumerate(zip(sizes[:-1], sizes[1:]), start=1):
        pairs.append((r(M, m), r(m, n)))  # forward A @ W.T
        pairs.append((r(n, M), r(M, m)))  # dW = D.T @ A
        if l > 1:
            pairs.append((r(M, n), r(n, m)))  # D @ W
    return pairs


def numpy_epoch(Ws, bs, X, y, batch_size: int, learning_rate: float, seed: int) -> float:
    """One epoch of benchmark (1) as the shortest NumPy loop; returns the mean minibatch loss.

    The package's arithmetic (the same shuffle, GEMMs, ReLU, softmax cross-entropy, summed
    gradients scaled by 1/M and the SGD step) with none of its Python: no checks, no layer
    functions, no history. Updates ``Ws``, ``bs`` (lists of arrays) in place. Its time against
    PyTorch's bounds the ratio any pure-NumPy implementation of (1) can reach on this machine.
    """
    Y = np.eye(Ws[-1].shape[0], dtype=X.dtype)[y]
    order = np.random.default_rng(seed).permutation(len(X))
    L, total = len(Ws), 0.0
    for start in range(0, len(X), batch_size):
        rows = order[start : start + batch_size]
        a, Yb = [X[rows]], Y[rows]
        for l in range(L):
            Z = a[l] @ Ws[l].T
            Z += bs[l]
            a.append(np.maximum(Z, 0) if l < L - 1 else Z)
        shifted = Z - Z.max(axis=1, keepdims=True)
        e = np.exp(shifted)
        s = e.sum(axis=1, keepdims=True)
        total -= float(np.sum(Yb * (shifted - np.log(s))))
        D = (e / s - Yb) / len(rows)
        for l in reversed(range(L)):
            dW, db = D.T @ a[l], D.sum(axis=0)
            if l:
                D = (D @ Ws[l]) * (a[l] > 0)
            Ws[l] -= learning_rate * dW
            bs[l] -= learning_rate * db
    return total / len(X)


def torch_module():
    """``torch`` if it can be imported (also from ``BACKPROP_BENCH_TORCH_PATH``), else None."""
    extra = os.environ.get("BACKPROP_BENCH_TORCH_PATH")
    if extra and extra not in sys.path:
        sys.path.append(extra)
    try:
        import torch
    except ImportError:
        return None
    return torch


def torch_mlp(torch, net):
    """A ``torch.nn.Sequential`` with the architecture and the initial weights of ``net``."""
    acts = {"relu": torch.nn.ReLU, "tanh": torch.nn.Tanh, "sigmoid": torch.nn.Sigmoid}
    layers = []
    for l, (W, b) in enumerate(zip(net.weights, net.biases), start=1):
        lin = torch.nn.Linear(W.shape[1], W.shape[0], dtype=getattr(torch, net.dtype.name))
        with torch.no_grad():
            lin.weight.copy_(torch.from_numpy(W.copy()))
            lin.bias.copy_(torch.from_numpy(b.copy()))
        layers.append(lin)
        if l < net.L:
            layers.append(acts[net.hidden]())
    return torch.nn.Sequential(*layers)


def torch_epoch(torch, model, X, y, batch_size: int, learning_rate: float, seed: int) -> float:
    """One epoch of minibatch SGD in PyTorch, the loop :func:`backprop.train.fit` runs.

    Shuffles, then per batch: forward, softmax cross-entropy (mean), backward, update, and the
    batch loss read back as a Python float (``fit(..., evaluate=False)`` does the same).
    """
    F = torch.nn.functional
    opt = torch.optim.SGD(model.parameters(), lr=learning_rate)
    gen = torch.Generator().manual_seed(seed)
    n = X.shape[0]
    order = torch.randperm(n, generator=gen)
    total = 0.0
    for start in range(0, n, batch_size):
        idx = order[start : start + batch_size]
        opt.zero_grad(set_to_none=True)
        loss = F.cross_entropy(model(X[idx]), y[idx])
        loss.backward()
        opt.step()
        total += loss.item() * len(idx)
    return total / n


def sklearn_mlp(hidden, batch_size: int, epochs: int, learning_rate: float, seed: int):
    """scikit-learn's MLPClassifier set up as plain minibatch SGD, nothing else."""
    from sklearn.neural_network import MLPClassifier

    return MLPClassifier(
        hidden_layer_sizes=hidden,
        activation="relu",
        solver="sgd",
        alpha=0.0,
        batch_size=batch_size,
        learning_rate="constant",
        learning_rate_init=learning_rate,
        max_iter=epochs,
        shuffle=True,
        random_state=seed,
        tol=1e-12,
        momentum=0.0,
        nesterovs_momentum=False,
        early_stopping=False,
        n_iter_no_change=epochs + 1,
    )


@contextlib.contextmanager
def _quiet_convergence():
    from sklearn.exceptions import ConvergenceWarning

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        yield


def _config(case: str, quick: bool) -> dict:
    full = {
        "relu": dict(n=12_800, sizes=RELU_NET, batch=128, lr=0.01),
        "tiny": dict(n=32_000, sizes=TINY_NET, batch=32, lr=0.1),
        "playground-core": dict(n=200, sizes=(2, 8, 8, 2), batch=10, lr=0.1, epochs=100),
    }
    small = {
        "relu": dict(n=512, sizes=QUICK_NET, batch=64, lr=0.01),
        "tiny": dict(n=640, sizes=TINY_NET, batch=32, lr=0.1),
        "playground-core": dict(n=50, sizes=(2, 4, 2), batch=10, lr=0.1, epochs=3),
    }
    return (small if quick else full).get(case, {})


def work(case: str, side: str, quick: bool):
    """The zero-argument callable timed for ``case`` on ``side`` (``None``: side not available).

    Returns ``(fn, extra)``: ``extra`` is a dict of numbers reported besides the times.
    """
    import backprop

    cfg = _config(case, quick)
    if case in ("relu", "tiny"):
        if case == "relu":
            X, y = classification_data(cfg["n"], cfg["sizes"][0], cfg["sizes"][-1], np.float32)
            kw = dict(hidden="relu", dtype=np.float32)
        else:
            X, y = backprop.datasets.two_moons(cfg["n"], noise=0.1, seed=0)
            kw = dict(hidden="tanh", dtype=np.float64)
        net0 = backprop.Network(cfg["sizes"], output="softmax", loss="cross_entropy", seed=0, **kw)
        if side in ("backprop", "baseline"):
            fit = dict(epochs=1, batch_size=cfg["batch"], learning_rate=cfg["lr"], evaluate=False)
            return (lambda: net0.copy().fit(X, y, **fit)), {}
        if side == "numpy":  # the same epoch as the shortest NumPy loop (numpy_epoch)

            def floor():
                net = net0.copy()
                return numpy_epoch(net.weights, net.biases, X, y, cfg["batch"], cfg["lr"], 0)

            return floor, {}
        torch = torch_module()
        if torch is None:
            return None, {"skipped": "torch not installed"}
        model, Xt, yt = torch_mlp(torch, net0), torch.from_numpy(X), torch.from_numpy(y)
        return (lambda: torch_epoch(torch, model, Xt, yt, cfg["batch"], cfg["lr"], 0)), {}
    if case == "sklearn":
        cfg = _config("relu", quick)
        X, y = classification_data(cfg["n"], cfg["sizes"][0], cfg["sizes"][-1], np.float32)
        if side == "backprop":

            def ours():
                net = backprop.Network(
                    cfg["sizes"],
                    hidden="relu",
                    output="softmax",
                    loss="cross_entropy",
                    dtype=np.float32,
                    seed=0,
                )
                net.fit(
                    X, y, epochs=1, batch_size=cfg["batch"], learning_rate=cfg["lr"], evaluate=False
                )

            return ours, {}

        def theirs():
            with _quiet_convergence():
                sklearn_mlp(cfg["sizes"][1:-1], cfg["batch"], 1, cfg["lr"], seed=0).fit(X, y)

        return theirs, {}
    if case == "step":  # ours only: an epoch of training steps over an epoch of forward passes
        cfg = _config("relu", quick)
        X, y = classification_data(cfg["n"], cfg["sizes"][0], cfg["sizes"][-1], np.float32)
        net0 = backprop.Network(
            cfg["sizes"],
            hidden="relu",
            output="softmax",
            loss="cross_entropy",
            dtype=np.float32,
            seed=0,
        )
        batches = [X[s : s + cfg["batch"]] for s in range(0, len(X), cfg["batch"])]
        fit = dict(epochs=1, batch_size=cfg["batch"], learning_rate=cfg["lr"], evaluate=False)
        if side == "step":
            return (lambda: net0.copy().fit(X, y, **fit)), {"batches": len(batches)}

        def forward():
            for Xb in batches:
                net0.forward(Xb)

        return forward, {"batches": len(batches)}
    if case == "gemm":  # the training epoch of (1), its GEMMs alone, a large square GEMM
        if side == "train":
            return work("relu", "backprop", quick)
        cfg = _config("relu", quick)
        steps = -(-cfg["n"] // cfg["batch"])
        flops = steps * matmul_flops(cfg["sizes"], cfg["batch"])["step"]
        if side == "square":
            size = 256 if quick else 2048
            rng = np.random.default_rng(0)
            A, B = (rng.random((size, size), dtype=np.float32) for _ in range(2))
            return (lambda: A @ B), {"flops": 2 * size**3}
        pairs = step_gemms(cfg["sizes"], cfg["batch"], np.float32)
        if side == "torch":  # the same products through PyTorch's BLAS
            torch = torch_module()
            if torch is None:
                return None, {"skipped": "torch not installed"}
            tpairs = [(torch.from_numpy(A), torch.from_numpy(B)) for A, B in pairs]

            def torch_gemms():
                for _ in range(steps):
                    for A, B in tpairs:
                        torch.mm(A, B)

            return torch_gemms, {"flops": flops}

        def gemms():
            for _ in range(steps):
                for A, B in pairs:
                    A @ B

        return gemms, {"flops": flops}
    if case == "playground-core":  # the training the playground runs for one change
        X, y = backprop.datasets.two_moons(cfg["n"], noise=0.2, seed=0)
        net0 = backprop.Network(
            cfg["sizes"], hidden="tanh", output="softmax", loss="cross_entropy", seed=0
        )
        fit = dict(epochs=cfg["epochs"], batch_size=cfg["batch"], learning_rate=cfg["lr"])
        return (lambda: net0.copy().fit(X, y, **fit)), {}
    raise ValueError(f"unknown case {case!r}")


def worker(case: str, side: str, quick: bool, repeats: int, threads: int) -> dict:
    """Time ``case`` on ``side`` in this process: one warm-up, then ``repeats`` runs."""
    from threadpoolctl import threadpool_limits

    with threadpool_limits(limits=threads):
        if side == "torch" and torch_module() is not None:
            torch_module().set_num_threads(threads)
        if case == "playground":
            return _playground(quick)
        if case == "digits":
            return _digits(quick)
        fn, extra = work(case, side, quick)
        if fn is None:
            return extra
        fn()
        times = []
        for _ in range(repeats):
            t0 = time.perf_counter()
            fn()
            times.append(time.perf_counter() - t0)
    return {"times": times, **extra}


def _playground(quick: bool) -> dict:
    import importlib.util

    spec = importlib.util.spec_from_file_location("latency", HERE / "playground_latency.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    result = module.measure(repeats=2 if quick else 16)
    return {"times": [result["median_ms"] / 1e3], "target_ms": result["target_ms"]}


def _digits(quick: bool) -> dict:
    import backprop

    X_train, X_test, y_train, y_test = backprop.datasets.digits(seed=0)
    hidden, epochs, seeds = ((8,), 2, range(1)) if quick else ((64,), 30, range(5))
    ours, theirs = [], []
    for seed in seeds:
        net = backprop.Network(
            (64, *hidden, 10), hidden="relu", output="softmax", loss="cross_entropy", seed=seed
        )
        net.fit(
            X_train,
            y_train,
            epochs=epochs,
            batch_size=32,
            learning_rate=0.05,
            seed=seed,
            evaluate=False,
        )
        ours.append(net.accuracy(X_test, y_test))
        with _quiet_convergence():
            clf = sklearn_mlp(hidden, 32, epochs, 0.05, seed).fit(X_train, y_train)
        theirs.append(clf.score(X_test, y_test))
    return {"backprop": float(np.mean(ours)), "sklearn": float(np.mean(theirs))}


# ============================================================================ the parent
def _spawn(case, side, args, src: Path | None = None) -> dict:
    cmd = [
        sys.executable,
        str(Path(__file__).resolve()),
        "--worker",
        case,
        "--side",
        side,
        "--repeats",
        str(args.repeats),
        "--threads",
        str(args.threads),
    ]
    if args.quick:
        cmd.append("--quick")
    env = {**os.environ, "OMP_NUM_THREADS": str(args.threads)}
    if src is not None:
        env["PYTHONPATH"] = str(src)
    proc = subprocess.run(cmd, capture_output=True, text=True, env=env, cwd=ROOT)
    if proc.returncode != 0:
        return {"skipped": f"worker failed: {proc.stderr.strip()[-300:]}"}
    return json.loads(proc.stdout.strip().splitlines()[-1])


def compare(case: str, sides: list, args, sources: dict) -> dict:
    """Run ``case`` for every side in its own process, ``args.rounds`` times, alternating."""
    load0 = os.getloadavg()[0]
    per_side = {s: [] for s in sides}
    extra = {}
    for r in range(args.rounds):
        for side in sides if r % 2 == 0 else sides[::-1]:
            out = _spawn(case, "backprop" if side == "baseline" else side, args, sources.get(side))
            if "skipped" in out:
                return {"skipped": out["skipped"]}
            per_side[side].append(statistics.median(out.pop("times")))
            extra.update(out)
    return {"per_side": per_side, "extra": extra, "load": (load0, os.getloadavg()[0])}


def spread(values, fmt) -> str:
    """``median (min-max)`` of ``values`` formatted with ``fmt``."""
    if len(values) == 1:
        return fmt(values[0])
    return f"{fmt(statistics.median(values))} ({fmt(min(values))}-{fmt(max(values))})"


def _ms(seconds: float) -> str:
    return f"{1e3 * seconds:.1f} ms" if seconds < 10 else f"{seconds:.1f} s"


def _ratio(x: float) -> str:
    return f"{x:.3f}"


def run_all(args) -> tuple[list, bool]:
    """Every comparison; returns the table rows and whether every judged target was met."""
    rows, all_met = [], True
    sources = {}
    if args.baseline:
        sources["baseline"] = _extract(args.baseline, args.tmp)

    def row(name, result, a, b, target, op, fmt=_ms, value=None):
        nonlocal all_met
        if "skipped" in result:
            rows.append((name, "-", "-", "-", target, f"skipped: {result['skipped']}", "-"))
        else:
            ps = result["per_side"]
            ratios = value(result) if value else [x / y for x, y in zip(ps[a], ps[b])]
            ok = op(statistics.median(ratios))
            verdict = "not judged (quick)" if args.quick else ("met" if ok else "MISSED")
            all_met &= ok or args.quick
            load = "{:.1f} / {:.1f}".format(*result["load"])
            rows.append(
                (
                    name,
                    spread(ps[a], fmt),
                    spread(ps[b], fmt) if b else "-",
                    spread(ratios, _ratio),
                    target,
                    verdict,
                    load,
                )
            )
        print("  " + " | ".join(str(c) for c in rows[-1]), flush=True)

    le = lambda x: lambda r: r <= x  # noqa: E731
    ge = lambda x: lambda r: r >= x  # noqa: E731
    on = lambda case: not args.only or case in args.only  # noqa: E731
    net = "784-256-128-10 ReLU, batch 128, f32" if not args.quick else "quick sizes"
    with_base = ["backprop", "baseline"] if args.baseline else ["backprop"]
    for case, label, target in (
        ("relu", f"(1) epoch {net}", 0.8),
        ("tiny", "(2) 1,000 steps 2-16-16-2 tanh, batch 32, f64", 0.2),
    ):
        if not on(case):
            continue
        result = compare(case, [*with_base, "torch"], args, sources)
        row(f"{label}: backprop / torch", result, "backprop", "torch", f"<= {target}", le(target))
        if case == "relu":  # what pure NumPy can reach at best: the loop without the package
            floor = compare(case, ["numpy", "torch"], args, sources)
            name = "(1b) the epoch of (1) as the shortest NumPy loop, no package: NumPy / torch"
            row(name, floor, "numpy", "torch", "(report)", lambda r: True)
        if args.baseline and "skipped" not in result:
            base = f"{label}: backprop / backprop@{args.baseline}"
            row(base, result, "backprop", "baseline", "(report)", lambda r: True)
    if on("sklearn"):
        result = compare("sklearn", ["backprop", "sklearn"], args, sources)
        row(
            f"(3a) epoch {net}: backprop / sklearn",
            result,
            "backprop",
            "sklearn",
            "<= 0.7",
            le(0.7),
        )
    if on("digits"):
        digits = _spawn("digits", "both", args)
        if "skipped" in digits:
            digits = {"backprop": float("nan"), "sklearn": float("nan")}
        ok = digits["backprop"] >= digits["sklearn"] or args.quick
        all_met &= ok
        rows.append(
            (
                "(3b) digits test accuracy, 64-64-10, 30 epochs: backprop / sklearn",
                f"{digits['backprop']:.1%}",
                f"{digits['sklearn']:.1%}",
                _ratio(digits["backprop"] / digits["sklearn"]),
                ">= 1.0",
                "met" if ok else "MISSED",
                "-",
            )
        )
        print("  " + " | ".join(rows[-1]), flush=True)
    if on("step"):
        result = compare("step", ["step", "forward"], args, sources)
        name = "(4) network (1), an epoch: training steps / forward passes of the same batches"
        row(name, result, "step", "forward", "<= 3.2", le(3.2))
    if on("gemm"):
        gemm = compare("gemm", ["train", "gemm", "square"], args, sources)
        if "skipped" not in gemm:
            # GFLOP/s of the epoch of (1), of the same GEMMs alone and of a large square GEMM,
            # each timed in its own process, in the same rounds
            f_step, size = gemm["extra"]["flops"], 256 if args.quick else 2048
            ps = gemm["per_side"]
            ps["gemm"] = [f_step / t / 1e9 for t in ps["gemm"]]
            ps["train"] = [f_step / t / 1e9 for t in ps["train"]]
            ps["sq"] = [2 * size**3 / t / 1e9 for t in ps["square"]]
        gf = lambda g: f"{g:.0f} GFLOP/s"  # noqa: E731
        name = "(5a) f32 training step of (1) / the same GEMMs alone"
        row(name, gemm, "train", "gemm", ">= 0.5", ge(0.5), gf)
        name = f"(5b) f32 training step of (1) / square {2048 if not args.quick else 256} GEMM"
        row(name, gemm, "train", "sq", "(report)", lambda r: True, gf)
        # The matrix products are the same work on both sides of (1); how fast each library
        # multiplies them bounds the ratio (1) can reach.
        blas = compare("gemm", ["gemm", "torch"], args, sources)
        name = "(5c) the GEMMs of (1) alone, an epoch's worth: NumPy's BLAS / PyTorch's"
        row(name, blas, "gemm", "torch", "(report)", lambda r: True)
    if on("playground"):
        pg = compare("playground", ["backprop"], args, sources)
        name = "(6a) playground: widget change to redrawn figure, ratio to 300 ms"
        ratio = lambda r: [t / 0.3 for t in r["per_side"]["backprop"]]  # noqa: E731
        row(name, pg, "backprop", None, "<= 300 ms", le(1.0), value=ratio)
    if args.baseline and on("playground"):
        result = compare("playground-core", ["backprop", "baseline"], args, sources)
        name = f"(6b) playground training: backprop / backprop@{args.baseline}"
        row(name, result, "backprop", "baseline", "<= 1.05", le(1.05))
    if args.build:
        res = bench_build()
        for name, limit in (("cold", 180), ("rebuild", 30)):
            if "skipped" in res:
                rows.append(
                    (
                        f"(7) make book, {name}",
                        "-",
                        "-",
                        "-",
                        f"<= {limit} s",
                        f"skipped: {res['skipped']}",
                        "-",
                    )
                )
                continue
            ok = res[name] <= limit
            all_met &= ok
            rows.append(
                (
                    f"(7) make book, {name}",
                    f"{res[name]:.1f} s",
                    "-",
                    "-",
                    f"<= {limit} s",
                    "met" if ok else "MISSED",
                    "-",
                )
            )
    return rows, all_met


def _extract(rev: str, tmp: Path) -> Path:
    """The ``src`` folder of git revision ``rev``, extracted into ``tmp`` (read-only on git)."""
    archive = subprocess.run(
        ["git", "archive", "--format=tar", rev, "src"], cwd=ROOT, capture_output=True, check=True
    ).stdout
    dest = tmp / f"src-{rev}"
    with tarfile.open(fileobj=__import__("io").BytesIO(archive)) as tar:
        tar.extractall(dest, filter="data")
    return dest / "src"


def bench_build(source: Path = ROOT) -> dict:
    """(7) ``make book`` from a cold cache and again with nothing changed, in seconds.

    Runs in a temporary ``git clone`` of ``source`` (the committed book, so the shared tree
    and its ``_build`` are untouched), with the clone's ``.venv`` and ``node_modules`` linked
    to those of ``source``; ``make -o <stamp>`` keeps make from re-running the set-up.
    """
    with tempfile.TemporaryDirectory(prefix="backprop-build-") as tmp:
        clone = Path(tmp) / "book"
        subprocess.run(["git", "clone", "--quiet", str(source), str(clone)], check=True)
        (clone / ".venv").symlink_to(source / ".venv")
        if (source / "node_modules").exists() and not (clone / "node_modules").exists():
            (clone / "node_modules").symlink_to(source / "node_modules")
        make = ["make", "-o", ".venv/.installed-stamp", "-o", "node_modules/.installed-stamp"]
        times = {}
        for name in ("cold", "rebuild"):
            t0 = time.perf_counter()
            proc = subprocess.run([*make, "book"], cwd=clone, capture_output=True, text=True)
            times[name] = time.perf_counter() - t0
            if proc.returncode != 0:
                return {"skipped": f"make book failed ({name}): {proc.stderr.strip()[-300:]}"}
    return times


def machine(threads: int) -> list[str]:
    """Lines describing the CPU, the core count and the numerical libraries."""
    from threadpoolctl import threadpool_info

    import backprop

    cpu = platform.processor() or platform.machine()
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    blas = [
        f"{p['internal_api']} {p.get('version')} ({p.get('architecture')})"
        for p in threadpool_info()
        if p["user_api"] == "blas"
    ]
    torch = torch_module()
    import sklearn

    return [
        f"CPU: {cpu}; {os.cpu_count()} logical cores",
        f"Python {platform.python_version()} on {platform.system()} {platform.release()}",
        f"NumPy {np.__version__}; BLAS: {'; '.join(blas) or 'unknown'}",
        f"PyTorch: {torch.__version__ if torch else 'not installed'}; "
        f"scikit-learn {sklearn.__version__}; backprop {backprop.__version__}",
        f"threads used by BLAS and PyTorch in every worker: {threads}",
    ]


def table(rows) -> str:
    """The rows as a Markdown table."""
    head = ("Benchmark", "backprop", "other", "ratio", "target", "verdict", "load before/after")
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    lines += ["| " + " | ".join(str(c) for c in row) + " |" for row in rows]
    return "\n".join(lines)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--quick", action="store_true", help="tiny sizes, once (smoke run)")
    parser.add_argument("--rounds", type=int, default=5, help="processes per side (default 5)")
    parser.add_argument("--repeats", type=int, default=3, help="timed runs per process")
    parser.add_argument("--threads", type=int, default=0, help="BLAS/torch threads (0: default)")
    parser.add_argument("--baseline", help="also time the package at this git revision")
    parser.add_argument("--build", action="store_true", help="also time `make book` (minutes)")
    parser.add_argument(
        "--only",
        type=lambda text: set(text.split(",")),
        default=set(),
        help="comma-separated cases: relu,tiny,sklearn,digits,step,gemm,playground (default all)",
    )
    parser.add_argument("--write", action="store_true", help=f"write {RESULTS.name}")
    parser.add_argument("--output", type=Path, help="write the report to this file instead")
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    parser.add_argument("--side", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.threads <= 0:
        from threadpoolctl import threadpool_info

        counts = [p["num_threads"] for p in threadpool_info() if p["user_api"] == "blas"]
        args.threads = max(counts) if counts else 1
    if args.worker:
        print(json.dumps(worker(args.worker, args.side, args.quick, args.repeats, args.threads)))
        return 0
    if args.quick:
        args.rounds, args.repeats = 1, 1
    print("\n".join(machine(args.threads)), flush=True)
    t0 = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="backprop-bench-") as tmp:
        args.tmp = Path(tmp)
        rows, all_met = run_all(args)
    elapsed = time.perf_counter() - t0
    text = table(rows)
    print("\n" + text)
    if args.write or args.output:
        doc = [
            "# Benchmark results",
            "",
            "Generated by `benchmarks/run.py --write` (`make bench BENCH_ARGS=--write`); do not "
            "edit by hand. Each side of a comparison runs in its own process, "
            f"{args.rounds} rounds, sides alternating, {args.repeats} timed runs after a warm-up "
            "per process; every cell is the median over the rounds and, in brackets, their range "
            "(min-max). Same data, architecture, dtype, batch and threads on both sides."
            + (" Quick (tiny) sizes: nothing is judged." if args.quick else ""),
            "",
            "## Machine",
            "",
            *[f"- {line}" for line in machine(args.threads)],
            "- load: the 1-minute load average before and after each comparison, on "
            f"{os.cpu_count()} cores (above 1 the machine was shared with other jobs)",
            "",
            "## Results",
            "",
            text,
            "",
            f"Total benchmark time: {elapsed:.0f} s.",
            "",
        ]
        out = args.output or RESULTS
        out.write_text("\n".join(doc))
        print(f"\nwritten to {out}")
    print("every target met" if all_met else "a target was MISSED")
    return 0 if all_met else 1


if __name__ == "__main__":
    sys.exit(main())
