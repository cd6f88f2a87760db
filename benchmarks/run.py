"""Benchmarks of the `backprop` package against PyTorch (CPU) and scikit-learn.

Run with ``make bench`` (or ``.venv/bin/python benchmarks/run.py``). One run prints a table of
medians over repeated timings and their ratios, and writes the same table, with a description
of the machine, to ``benchmarks/results.md``.

Rules that every comparison follows:

* the same data, architecture, dtype, batch size and number of steps on both sides;
* the same number of threads: the BLAS thread count NumPy uses is read with threadpoolctl and
  fixed for the whole run, and PyTorch is told to use as many (``torch.set_num_threads``);
* warm-up runs are excluded; the two sides alternate inside each repetition so that a slow
  moment of the machine hits both; the median of the repetitions is reported.

PyTorch is optional (it is not in ``requirements.txt``): without it the PyTorch rows print
``skipped: torch not installed``. ``--build`` also times ``make book`` from a cold cache and a
rebuild with nothing changed, in a temporary ``git clone`` of the repository (minutes).
``--quick`` runs every benchmark with tiny sizes.
"""

from __future__ import annotations

import argparse
import contextlib
import importlib.util
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
import warnings
from pathlib import Path

import numpy as np
from threadpoolctl import threadpool_info, threadpool_limits

import backprop

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
RESULTS = HERE / "results.md"
RELU_NET = (784, 256, 128, 10)
TINY_NET = (2, 16, 16, 2)


# ---------------------------------------------------------------------------- helpers
def blas_threads() -> int:
    """The number of threads NumPy's BLAS uses (1 if threadpoolctl cannot tell)."""
    counts = [p["num_threads"] for p in threadpool_info() if p["user_api"] == "blas"]
    return max(counts) if counts else 1


def torch_or_none():
    """The ``torch`` module if it can be imported, else ``None``."""
    try:
        import torch
    except ImportError:
        return None
    return torch


def time_alternating(fns: dict, repeats: int = 5, warmup: int = 1) -> dict:
    """Median wall time in seconds of each zero-argument callable in ``fns``.

    Each repetition runs every callable once, in turn; ``warmup`` rounds are run first and
    not recorded. Returns ``{name: median}``.
    """
    for _ in range(warmup):
        for fn in fns.values():
            fn()
    times = {name: [] for name in fns}
    for _ in range(repeats):
        for name, fn in fns.items():
            t0 = time.perf_counter()
            fn()
            times[name].append(time.perf_counter() - t0)
    return {name: statistics.median(ts) for name, ts in times.items()}


def classification_data(n: int, n_in: int, n_classes: int, dtype, seed: int = 0):
    """Inputs in [0, 1) of shape ``(n, n_in)`` and integer labels ``(n,)``, both seeded."""
    rng = np.random.default_rng(seed)
    X = rng.random((n, n_in)).astype(dtype)
    y = rng.integers(0, n_classes, size=n)
    return X, y


def matmul_flops(sizes, M: int) -> dict:
    r"""Exact multiply-add count (2 flops each) of the matrix products of one step.

    Forward: $Z^l = A^{l-1} (W^l)^\mathsf{T}$ costs $2 M n_{l-1} n_l$ for every layer.
    Backward: $\partial C/\partial W^l = (\Delta^l)^\mathsf{T} A^{l-1}$ costs the same for every
    layer, and $\Delta^{l} W^{l}$ (the error sent to layer $l-1$) is needed for $l \ge 2$ only.
    """
    per_layer = [2 * M * a * b for a, b in zip(sizes[:-1], sizes[1:])]
    forward = sum(per_layer)
    backward = forward + (forward - per_layer[0])
    return {"forward": forward, "backward": backward, "step": forward + backward}


def torch_mlp(torch, net: backprop.Network):
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
    Returns the mean batch loss.
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


# ---------------------------------------------------------------------------- benchmarks
def _epoch_vs_torch(torch, X, y, net0, batch_size: int, lr: float, repeats: int) -> dict:
    """One epoch of SGD on ``(X, y)`` from the weights of ``net0``: backprop / torch."""
    model = torch_mlp(torch, net0)
    Xt, yt = torch.from_numpy(X), torch.from_numpy(y)

    def ours():
        net0.copy().fit(X, y, epochs=1, batch_size=batch_size, learning_rate=lr, evaluate=False)

    def theirs():
        torch_epoch(torch, model, Xt, yt, batch_size, lr, seed=0)

    t = time_alternating({"backprop": ours, "torch": theirs}, repeats=repeats)
    return {"backprop": t["backprop"], "torch": t["torch"], "ratio": t["backprop"] / t["torch"]}


def bench_training_vs_torch(
    n: int = 12_800, sizes=RELU_NET, batch_size: int = 128, repeats: int = 5
) -> dict:
    """(1) One epoch of SGD, 784-256-128-10 ReLU + softmax CE, float32: backprop / torch."""
    torch = torch_or_none()
    if torch is None:
        return {"skipped": "torch not installed"}
    X, y = classification_data(n, sizes[0], sizes[-1], np.float32)
    net0 = backprop.Network(
        sizes, hidden="relu", output="softmax", loss="cross_entropy", dtype=np.float32, seed=0
    )
    return _epoch_vs_torch(torch, X, y, net0, batch_size, 0.01, repeats)


def bench_tiny_vs_torch(
    steps: int = 1000, sizes=TINY_NET, batch_size: int = 32, repeats: int = 5
) -> dict:
    """(2) 1,000 SGD steps on a 2-16-16-2 tanh network, batch 32, float64: backprop / torch."""
    torch = torch_or_none()
    if torch is None:
        return {"skipped": "torch not installed"}
    X, y = backprop.datasets.two_moons(steps * batch_size, noise=0.1, seed=0)
    net0 = backprop.Network(
        sizes, hidden="tanh", output="softmax", loss="cross_entropy", dtype=np.float64, seed=0
    )
    return _epoch_vs_torch(torch, X, y, net0, batch_size, 0.1, repeats)


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


def bench_vs_sklearn(
    n: int = 12_800, sizes=RELU_NET, batch_size: int = 128, epochs: int = 1, repeats: int = 5
) -> dict:
    """(3a) ``Network(...)`` + ``fit`` against ``MLPClassifier(...).fit``, same everything."""
    X, y = classification_data(n, sizes[0], sizes[-1], np.float32)
    lr = 0.01

    def ours():
        net = backprop.Network(
            sizes, hidden="relu", output="softmax", loss="cross_entropy", dtype=np.float32, seed=0
        )
        net.fit(X, y, epochs=epochs, batch_size=batch_size, learning_rate=lr, evaluate=False)

    def theirs():
        with _quiet_convergence():
            sklearn_mlp(sizes[1:-1], batch_size, epochs, lr, seed=0).fit(X, y)

    t = time_alternating({"backprop": ours, "sklearn": theirs}, repeats=repeats)
    return {
        "backprop": t["backprop"],
        "sklearn": t["sklearn"],
        "ratio": t["backprop"] / t["sklearn"],
    }


def bench_digits_accuracy(
    hidden=(64,),
    batch_size: int = 32,
    epochs: int = 30,
    learning_rate: float = 0.05,
    seeds=range(5),
) -> dict:
    """(3b) Test accuracy on scikit-learn's digits after the same SGD epochs, mean over seeds.

    ``ratio`` is backprop's accuracy over scikit-learn's (>= 1 means equal or better).
    """
    X_train, X_test, y_train, y_test = backprop.datasets.digits(seed=0)
    sizes = (X_train.shape[1], *hidden, 10)
    ours, theirs = [], []
    for seed in seeds:
        net = backprop.Network(
            sizes, hidden="relu", output="softmax", loss="cross_entropy", seed=seed
        )
        net.fit(
            X_train,
            y_train,
            epochs=epochs,
            batch_size=batch_size,
            learning_rate=learning_rate,
            seed=seed,
            evaluate=False,
        )
        ours.append(net.accuracy(X_test, y_test))
        with _quiet_convergence():
            clf = sklearn_mlp(hidden, batch_size, epochs, learning_rate, seed).fit(X_train, y_train)
        theirs.append(clf.score(X_test, y_test))
    return {
        "backprop": float(np.mean(ours)),
        "sklearn": float(np.mean(theirs)),
        "ratio": float(np.mean(ours) / np.mean(theirs)),
    }


def bench_step_vs_forward(
    n: int = 12_800, sizes=RELU_NET, batch_size: int = 128, repeats: int = 5
) -> dict:
    """(4) An epoch of training steps over an epoch of forward passes on the same batches."""
    X, y = classification_data(n, sizes[0], sizes[-1], np.float32)
    net0 = backprop.Network(
        sizes, hidden="relu", output="softmax", loss="cross_entropy", dtype=np.float32, seed=0
    )
    batches = [X[s : s + batch_size] for s in range(0, n, batch_size)]

    def step():
        net0.copy().fit(X, y, epochs=1, batch_size=batch_size, learning_rate=0.01, evaluate=False)

    def forward():
        for Xb in batches:
            net0.forward(Xb)

    t = time_alternating({"step": step, "forward": forward}, repeats=repeats)
    return {
        "step": t["step"] / len(batches),
        "forward": t["forward"] / len(batches),
        "ratio": t["step"] / t["forward"],
    }


def bench_matmul_ceiling(
    size: int = 2048, n: int = 12_800, sizes=RELU_NET, batch_size: int = 128, repeats: int = 5
) -> dict:
    """(5) float32 GFLOP/s of a large square matmul and of a training step of network (1).

    ``ratio`` is the fraction of the matmul rate that the training step reaches, counting
    the exact matrix-product flops of :func:`matmul_flops`.
    """
    rng = np.random.default_rng(0)
    A = rng.random((size, size), dtype=np.float32)
    B = rng.random((size, size), dtype=np.float32)
    X, y = classification_data(n, sizes[0], sizes[-1], np.float32)
    net0 = backprop.Network(
        sizes, hidden="relu", output="softmax", loss="cross_entropy", dtype=np.float32, seed=0
    )
    n_steps = -(-n // batch_size)
    t = time_alternating(
        {
            "matmul": lambda: A @ B,
            "epoch": lambda: net0.copy().fit(
                X, y, epochs=1, batch_size=batch_size, learning_rate=0.01, evaluate=False
            ),
        },
        repeats=repeats,
    )
    peak = 2 * size**3 / t["matmul"] / 1e9
    # every batch is full when batch_size divides n (12,800 / 128 = 100)
    achieved = n_steps * matmul_flops(sizes, batch_size)["step"] / t["epoch"] / 1e9
    return {"matmul_gflops": peak, "step_gflops": achieved, "ratio": achieved / peak}


def bench_playground_latency(repeats: int = 16) -> dict:
    """(6) The playground's latency: ``measure(repeats=...)`` of ``playground_latency.py``.

    Returns its dict (``median_ms``, ``target_ms``, ...) or ``{"skipped": reason}``.
    """
    path = HERE / "playground_latency.py"
    if not path.exists():
        return {"skipped": "benchmarks/playground_latency.py not found"}
    spec = importlib.util.spec_from_file_location("playground_latency", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    if not callable(getattr(module, "measure", None)):
        return {"skipped": "playground_latency.py has no measure(repeats=...) function"}
    return dict(module.measure(repeats=repeats))


def bench_build(source: Path = ROOT) -> dict:
    """(7) ``make book`` from a cold cache and again with nothing changed, in seconds.

    Runs in a temporary ``git clone`` of ``source`` (the committed book, so the shared tree
    and its ``_build`` are untouched), with the clone's ``.venv`` and ``node_modules`` linked
    to those of ``source``; ``make -o <stamp>`` keeps make from re-running the set-up.
    """
    venv = source / ".venv"
    with tempfile.TemporaryDirectory(prefix="backprop-build-") as tmp:
        clone = Path(tmp) / "book"
        subprocess.run(["git", "clone", "--quiet", str(source), str(clone)], check=True)
        (clone / ".venv").symlink_to(venv)
        if (source / "node_modules").exists() and not (clone / "node_modules").exists():
            (clone / "node_modules").symlink_to(source / "node_modules")
        # -o takes make's own (relative) target names: never re-run pip or npm here, since
        # `pip install -e .` would re-point the shared editable install at the clone and
        # `npm ci` would empty the shared node_modules.
        make = ["make", "-o", ".venv/.installed-stamp", "-o", "node_modules/.installed-stamp"]
        make.append("book")
        times = {}
        for name in ("cold", "rebuild"):
            t0 = time.perf_counter()
            proc = subprocess.run(make, cwd=clone, capture_output=True, text=True)
            times[name] = time.perf_counter() - t0
            if proc.returncode != 0:
                tail = (proc.stdout + proc.stderr).strip()[-300:]
                return {"skipped": f"make book failed ({name}): {tail}"}
    return times


# ---------------------------------------------------------------------------- report
def machine() -> list[str]:
    """Lines describing the CPU, the core count and the numerical libraries."""
    cpu = platform.processor() or platform.machine()
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    blas = [
        f"{p['internal_api']} {p.get('version')} ({p.get('architecture')}, "
        f"{p['num_threads']} threads)"
        for p in threadpool_info()
        if p["user_api"] == "blas"
    ]
    torch = torch_or_none()
    import sklearn

    return [
        f"CPU: {cpu}; {os.cpu_count()} logical cores",
        f"Python {platform.python_version()} on {platform.system()} {platform.release()}",
        f"NumPy {np.__version__}; BLAS: {'; '.join(blas) or 'unknown'}",
        f"PyTorch: {torch.__version__ + ' (CPU)' if torch else 'not installed'}; "
        f"scikit-learn {sklearn.__version__}; backprop {backprop.__version__}",
    ]


def _ms(seconds: float) -> str:
    return f"{1e3 * seconds:.2f} ms"


def run_all(quick: bool = False, build: bool = False) -> list[tuple]:
    """Run every benchmark; return rows ``(name, ours, theirs, ratio, target, verdict)``."""
    if quick:
        s1 = dict(n=512, sizes=(32, 16, 8, 4), batch_size=64, repeats=1)
        cfg = {
            "train": s1,
            "tiny": dict(steps=20, repeats=1),
            "sklearn": dict(n=512, sizes=(32, 16, 8, 4), batch_size=64, repeats=1),
            "digits": dict(hidden=(8,), epochs=2, seeds=range(1)),
            "step": s1,
            "ceiling": dict(size=128, **s1),
            "latency": dict(repeats=2),
        }
    else:
        keys = ("train", "tiny", "sklearn", "digits", "step", "ceiling", "latency")
        cfg = {k: {} for k in keys}
    rows = []

    def add(name, result, ours_key, theirs_key, fmt, target, op):
        if "skipped" in result:
            rows.append((name, "-", "-", "-", target, f"skipped: {result['skipped']}"))
        else:
            ok = op(result["ratio"])
            rows.append(
                (
                    name,
                    fmt(result[ours_key]),
                    fmt(result[theirs_key]),
                    f"{result['ratio']:.3f}",
                    target,
                    "met" if ok else "MISSED",
                )
            )
        print(f"  {rows[-1]}", flush=True)

    le = lambda x: lambda r: r <= x
    pct = lambda a: f"{100 * a:.1f}%"
    gf = lambda g: f"{g:.1f} GFLOP/s"
    print("(1) training step vs PyTorch", flush=True)
    add(
        "(1) epoch 784-256-128-10 ReLU, batch 128, f32: backprop / torch",
        bench_training_vs_torch(**cfg["train"]),
        "backprop",
        "torch",
        _ms,
        "<= 1.1",
        le(1.1),
    )
    print("(2) tiny network vs PyTorch", flush=True)
    add(
        "(2) 1,000 steps 2-16-16-2 tanh, batch 32, f64: backprop / torch",
        bench_tiny_vs_torch(**cfg["tiny"]),
        "backprop",
        "torch",
        _ms,
        "<= 0.25",
        le(0.25),
    )
    print("(3) scikit-learn", flush=True)
    add(
        "(3a) epoch 784-256-128-10 ReLU, batch 128, f32: backprop / sklearn",
        bench_vs_sklearn(**cfg["sklearn"]),
        "backprop",
        "sklearn",
        _ms,
        "<= 0.7",
        le(0.7),
    )
    add(
        "(3b) digits test accuracy, 64-64-10, 30 epochs: backprop / sklearn",
        bench_digits_accuracy(**cfg["digits"]),
        "backprop",
        "sklearn",
        pct,
        ">= 1.0",
        lambda r: r >= 1.0,
    )
    print("(4) step vs forward", flush=True)
    add(
        "(4) network (1), per batch: training step / forward pass",
        bench_step_vs_forward(**cfg["step"]),
        "step",
        "forward",
        _ms,
        "<= 3.2",
        le(3.2),
    )
    print("(5) matmul ceiling", flush=True)
    add(
        "(5) float32 GFLOP/s: training step of (1) / large square matmul",
        bench_matmul_ceiling(**cfg["ceiling"]),
        "step_gflops",
        "matmul_gflops",
        gf,
        "(report)",
        lambda r: True,
    )
    print("(6) playground latency", flush=True)
    res = bench_playground_latency(**cfg["latency"])
    if "skipped" in res:
        rows.append(
            ("(6) playground latency", "-", "-", "-", "<= 300 ms", f"skipped: {res['skipped']}")
        )
    else:
        target = float(res.get("target_ms", 300))
        ok = res["median_ms"] <= target
        rows.append(
            (
                "(6) playground: widget change to redrawn figure (median)",
                f"{res['median_ms']:.0f} ms",
                "-",
                f"{res['median_ms'] / target:.3f}",
                f"<= {target:.0f} ms",
                "met" if ok else "MISSED",
            )
        )
    print(f"  {rows[-1]}", flush=True)
    if build:
        print("(7) book build (minutes)", flush=True)
        res = bench_build()
        if "skipped" in res:
            rows.append(("(7) make book", "-", "-", "-", "-", f"skipped: {res['skipped']}"))
        else:
            for name, limit in (("cold", 180), ("rebuild", 30)):
                ok = res[name] <= limit
                rows.append(
                    (
                        f"(7) make book, {name}",
                        f"{res[name]:.1f} s",
                        "-",
                        "-",
                        f"<= {limit} s",
                        "met" if ok else "MISSED",
                    )
                )
    else:
        rows.append(
            (
                "(7) make book cold / rebuild",
                "-",
                "-",
                "-",
                "<= 180 s / <= 30 s",
                "not run (pass --build)",
            )
        )
    return rows


def table(rows) -> str:
    """The rows as a Markdown table."""
    head = ("Benchmark", "backprop", "other", "ratio", "target", "verdict")
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    lines += ["| " + " | ".join(str(c) for c in row) + " |" for row in rows]
    return "\n".join(lines)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--quick", action="store_true", help="tiny sizes (a smoke run)")
    parser.add_argument("--build", action="store_true", help="also time `make book` (minutes)")
    parser.add_argument("--output", type=Path, default=RESULTS, help="Markdown file to write")
    args = parser.parse_args(argv)

    threads = blas_threads()
    torch = torch_or_none()
    load_before = os.getloadavg()[0]
    with threadpool_limits(limits=threads):
        if torch is not None:
            torch.set_num_threads(threads)
        print("\n".join(machine()))
        print(f"threads: {threads} (BLAS and torch)\n", flush=True)
        t0 = time.perf_counter()
        rows = run_all(quick=args.quick, build=args.build)
        elapsed = time.perf_counter() - t0
    load_after = os.getloadavg()[0]
    text = table(rows)
    load = (
        f"- load average (1 min) {load_before:.2f} at the start, {load_after:.2f} at the end "
        f"on {os.cpu_count()} cores"
    )
    if max(load_before, load_after) > 0.5:
        load += (
            ": the machine was shared with other jobs during the run, so times (and "
            "PyTorch's multi-threaded ones most) are noisier than on an idle machine"
        )
    print("\n" + text)
    doc = [
        "# Benchmark results",
        "",
        "Written by `benchmarks/run.py` (`make bench`); times are medians over repeated runs "
        "(warm-up excluded), both sides alternating, same data, architecture, dtype, batch "
        f"and thread count ({threads}).{' Quick (tiny) sizes.' if args.quick else ''}",
        "",
        "## Machine",
        "",
        *[f"- {line}" for line in machine()],
        f"- threads used by BLAS and PyTorch: {threads}",
        load,
        "",
        "## Results",
        "",
        text,
        "",
        f"Total benchmark time: {elapsed:.0f} s.",
        "",
    ]
    args.output.write_text("\n".join(doc))
    print(f"\nwritten to {args.output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
