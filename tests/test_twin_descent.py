"""The live learning-rate explorer (twin/descent.js) says what the Python explorer says.

The verdict of a loss curve (converging, oscillating, unstable, overshooting, diverged) is one
rule, :func:`backprop.explore.playground.headline`, which the page's twin repeats. Here Node
runs the twin on the Python run's data, weights and minibatch order (``_ext/live_twin.py``) for
every rate of the slider and rates around 0.3 (where the rule changes its words), at several
batch sizes and momenta, and its sentence must equal Python's word for word. The slider offers
exactly :data:`backprop.explore.descent.RATES`, the thresholds are the same numbers, and the
twin's ``readable`` writes every number as :func:`backprop.explore.glue.readable` does. A
difference planted in a copy of the twin (a threshold, a rate of the slider, the rounding of a
number) fails the comparison.
"""

from __future__ import annotations

import itertools
import json
import shutil
import subprocess
import sys
import tempfile
from functools import cache
from pathlib import Path

import numpy as np
import pytest

from backprop.explore import descent, playground
from backprop.explore.glue import readable

ROOT = Path(__file__).resolve().parents[1]
RUNNER = ROOT / "tests" / "twin" / "run_descent.mjs"
NODE = shutil.which("node")

# every rate of the slider, and the rates near 0.3 where the words change (0.316 was a stop of
# the old 10^(k/20) slider: "Unstable" there, "oscillating" at 0.3)
AROUND = (0.28, 0.3, 10**-0.5, 0.32)
SETTINGS = [
    {"learningRate": r, "batchSize": b, "momentum": m}
    for r, b, m in itertools.product(
        sorted(set(descent.RATES) | set(AROUND)), (1, 2, 8, 64), (0.0, 0.5, 0.9)
    )
]
# losses, factors, huge and tiny values, a tie (0.125), values that round up a decade
VALUES = (0.305, 0.0129, 1.457, 2357.3, 999_999.7, 5.6e288, 3e-7, 0.00042, -2360.0, 0.125)
NUMBERS = [(x, d) for x in (*VALUES, 9.996, 1e6, 123_456.0, 2.5, 0.1, 10.0) for d in (1, 2, 3)]


@cache
def reference_file() -> str:
    """The data, initial weights and minibatch order the page gets from the Python run."""
    sys.path.insert(0, str(ROOT / "_ext"))
    import live_twin

    ref = Path(tempfile.mkdtemp(prefix="twin-descent-")) / "reference.json"
    ref.write_text(json.dumps(live_twin.reference()))
    return str(ref)


def run(source=None):
    if NODE is None:
        pytest.fail("node is missing: the twin is checked with Node.js (>= 18)")
    job = {"reference": reference_file(), "settings": SETTINGS, "numbers": NUMBERS}
    proc = subprocess.run(
        [NODE, str(RUNNER), *([str(source)] if source else [])],
        input=json.dumps(job), capture_output=True, text=True, timeout=300, check=False,
        cwd=RUNNER.parent,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout)


@cache
def python_runs():
    return [
        playground.train_curve(
            playground.CurveSettings(
                learning_rate=s["learningRate"], batch_size=s["batchSize"], momentum=s["momentum"]
            )
        )
        for s in SETTINGS
    ]


@cache
def twin():
    return run()


def differences(out) -> list:
    """What the page would show differently from Python: rates, thresholds, numbers, words."""
    found = []
    if out["rates"] != list(descent.RATES):
        found.append(("rates", out["rates"], list(descent.RATES)))
    if (out["rise"], out["wobble"]) != (playground.RISE, playground.WOBBLE):
        found.append(("thresholds", (out["rise"], out["wobble"])))
    for (x, d), text in zip(NUMBERS, out["numbers"]):
        if text != readable(x, d):
            found.append(("readable", x, d, text, readable(x, d)))
    for s, page, py in zip(SETTINGS, out["runs"], python_runs()):
        if page["headline"] != playground.headline(py):
            found.append(("headline", s, page["headline"], playground.headline(py)))
    return found


def test_the_twin_says_what_python_says_for_every_setting_of_the_slider():
    out = twin()
    assert len(out["runs"]) == len(SETTINGS) == (len(descent.RATES) + 3) * 4 * 3
    assert not differences(out), differences(out)[:5]
    words = {page["headline"].split(":")[0] for page in out["runs"]}
    # the grid meets every verdict the rule has (else the comparison would not test them all)
    assert {"Converging", "Decreasing, but oscillating", "Unstable", "Overshooting"} <= words
    assert any(w.startswith("Diverged at epoch") for w in words), words
    at = {s["learningRate"]: page["headline"] for s, page in zip(SETTINGS, out["runs"])
          if (s["batchSize"], s["momentum"]) == (8, 0.0)}  # fmt: skip
    # the reader's case: 0.3 can be set in both explorers, and both call it oscillating
    assert at[0.3].startswith("Decreasing, but oscillating"), at[0.3]


def test_the_twin_trains_the_python_curves():
    """The words agree because the curves do: a run that stays finite and below twice its
    start has the same loss after every epoch. A run that overshoots or diverges is chaotic
    (its loss, and the rounding in it, is multiplied by up to 1e27 per epoch; two computations
    that differ in the last bit part after a few epochs): the twin must find the same verdict
    at the same epoch, which is why the words give such a run's factor as a power of ten."""
    for s, page, py in zip(SETTINGS, twin()["runs"], python_runs()):
        assert page["status"] == py.status, s
        assert len(page["loss"]) == np.count_nonzero(np.isfinite(py.loss)), s
        if py.status == "ok":
            np.testing.assert_allclose(page["loss"], py.loss, rtol=1e-10, err_msg=str(s))


PLANTS = {
    "threshold": ("export const RISE = 1.5;", "export const RISE = 1.6;"),
    "slider": ("[1, 2, 3, 5].map", "[1, 2, 3.16, 5].map"),
    "rounding": ("x.toExponential(digits - 1)", "x.toExponential(digits)"),
}


@pytest.mark.parametrize("name", PLANTS)
def test_a_planted_difference_in_the_twin_fails_the_comparison(tmp_path, name):
    old, new = PLANTS[name]
    copy = tmp_path / "twin"
    shutil.copytree(ROOT / "twin", copy, ignore=shutil.ignore_patterns("node_modules"))
    source = (copy / "descent.js").read_text()
    assert source.count(old) == 1, f"the line to plant the difference in moved: {old}"
    (copy / "descent.js").write_text(source.replace(old, new))
    assert differences(run(copy / "descent.js")), f"planted '{name}' went unnoticed"
