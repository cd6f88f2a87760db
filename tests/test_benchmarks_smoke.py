"""Smoke test of the benchmark script: ``benchmarks/run.py --quick`` runs and writes its table.

The real benchmarks take minutes and are run by ``make bench``; this only checks that every
benchmark still runs end to end (with tiny sizes, each side in its own worker process), that the
report has the expected rows, that nothing is judged on tiny sizes, and that ``results.md`` is
written only when asked.
"""

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_quick_benchmark_writes_results(tmp_path):
    out = tmp_path / "results.md"
    proc = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "run.py"), "--quick", "--output", str(out)],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    text = out.read_text()
    assert text.startswith("# Benchmark results")
    assert "## Machine" in text and "Quick (tiny) sizes" in text
    for row in ("(1)", "(1b)", "(2)", "(3a)", "(3b)", "(4)", "(5a)", "(5b)", "(6a)"):
        assert f"| {row}" in text, f"row {row} missing from the table"
    assert "not judged (quick)" in text and "MISSED" not in text
    assert "Traceback" not in proc.stdout + proc.stderr


def test_results_are_written_only_when_asked():
    parser_help = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "run.py"), "--help"],
        capture_output=True,
        text=True,
        timeout=60,
    ).stdout
    assert "--write" in parser_help and "--rounds" in parser_help


def test_the_numpy_floor_of_benchmark_1_trains_as_the_package_does():
    # The floor row (1b) is only a bound if its loop does the package's work: same batches,
    # same arithmetic, so the same weights after an epoch and the same mean minibatch loss.
    sys.path.insert(0, str(ROOT / "benchmarks"))
    try:
        import run
    finally:
        sys.path.remove(str(ROOT / "benchmarks"))
    import numpy as np

    import backprop

    X, y = run.classification_data(300, 20, 4, np.float64, seed=1)
    net = backprop.Network(
        (20, 16, 8, 4), hidden="relu", output="softmax", loss="cross_entropy", seed=0
    )
    Ws, bs = [W.copy() for W in net.weights], [b.copy() for b in net.biases]
    loss = run.numpy_epoch(Ws, bs, X, y, batch_size=32, learning_rate=0.1, seed=0)
    history = net.fit(X, y, epochs=1, batch_size=32, learning_rate=0.1, evaluate=False)
    for ours, theirs in zip(Ws + bs, net.weights + net.biases):
        np.testing.assert_allclose(ours, theirs, rtol=1e-12, atol=1e-14)
    assert loss == np.float64(history.loss[0]) or abs(loss - history.loss[0]) < 1e-12
