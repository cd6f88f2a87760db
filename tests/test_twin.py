"""The browser twin (twin/net.js) against the package, run in Node.

The same initial weights, data and minibatch order are exported from :class:`backprop.Network`
and :func:`backprop.train.fit` (the order is the permutations ``fit`` draws from its seed); the
twin trains on them for 240 steps, and its weights must equal the package's to a relative error
of 1e-12, for every hidden activation, every (output, loss) pair, with and without momentum and
L2, on three architectures (no hidden layer, two wide layers, six narrow ones). L1 (the soft
threshold of ``train.shrink``) is compared with ``fit(l1=...)`` in the same way, at a rate that
sets many weights to exactly zero. Each of the four equations of backpropagation, and the L1
step written as the sign-flipping subgradient step, planted in a copy of the twin, fails the
check.
"""

from __future__ import annotations

import itertools
import json
import shutil
import subprocess
from functools import cache
from pathlib import Path

import numpy as np
import pytest

import backprop

ROOT = Path(__file__).resolve().parents[1]
TWIN = ROOT / "twin" / "net.js"
RUNNER = ROOT / "tests" / "twin" / "run_twin.mjs"
NODE = shutil.which("node")
TOL = 1e-12

ARCHITECTURES = {"no hidden": [2, 3], "wide": [3, 8, 8, 3], "deep narrow": [2, 3, 3, 3, 3, 3, 3, 3]}
HIDDEN = ("sigmoid", "tanh", "relu", "identity")
PAIRS = (
    ("identity", "mse"),
    ("sigmoid", "mse"),
    ("softmax", "mse"),
    ("sigmoid", "cross_entropy"),
    ("softmax", "cross_entropy"),
)
# momentum 0.5: with 0.9 the deep narrow tanh network oscillates, and a chaotic run amplifies
# rounding (1e-16 -> 1e-5 in 240 steps) whatever computes it
OPTIMISERS = {
    "sgd": (0.0, 0.0),
    "momentum": (0.5, 0.0),
    "l2": (0.0, 1e-3),
    "momentum+l2": (0.5, 1e-3),
}
M, BATCH, EPOCHS, RATE = 48, 8, 40, 0.05  # 6 steps per epoch: 240 steps


def data(sizes, output, loss, seed=0):
    """Inputs ``(M, n_0)`` and targets ``(M, n_L)`` that fit the (output, loss) pair."""
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((M, sizes[0]))
    k = sizes[-1]
    if output == "softmax":
        Y = np.eye(k)[rng.integers(0, k, M)]
    elif output == "sigmoid":
        Y = (rng.uniform(size=(M, k)) < 0.5).astype(float)
    else:
        Y = rng.standard_normal((M, k))
    return X, Y


def orders(seed, epochs=EPOCHS):
    """The sample order of every epoch, drawn as :func:`backprop.train.fit` draws it."""
    rng = np.random.default_rng(seed)
    return [rng.permutation(M).tolist() for _ in range(epochs)]


def case(arch, hidden, output, loss, momentum, l2, l1=0.0):
    sizes = ARCHITECTURES[arch]
    net = backprop.Network(sizes, hidden=hidden, output=output, loss=loss, seed=3)
    X, Y = data(sizes, output, loss)
    return net, X, Y, {
        "sizes": sizes, "hidden": hidden, "output": output, "loss": loss,
        "weights": [W.tolist() for W in net.weights], "biases": [b.tolist() for b in net.biases],
        "X": X.tolist(), "Y": Y.tolist(), "epochs": EPOCHS, "batch_size": BATCH,
        "learning_rate": RATE, "momentum": momentum, "l2": l2, "l1": l1, "orders": orders(7),
    }  # fmt: skip


def run_twin(cases, source=TWIN):
    if NODE is None:
        pytest.fail(
            "node is missing: the twin is checked with Node.js (>= 18), which make setup needs"
        )
    proc = subprocess.run(
        [NODE, str(RUNNER), str(source)],
        input=json.dumps(cases), capture_output=True, text=True, timeout=300, check=False,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout)


def relative_error(params_twin, params_ref) -> float:
    """max |twin - ref| over every weight and bias, over max |ref|."""
    diff = max(float(np.max(np.abs(np.asarray(t) - r))) for t, r in zip(params_twin, params_ref))
    return diff / max(float(np.max(np.abs(r))) for r in params_ref)


CONFIGS = [
    (arch, hidden, output, loss, opt)
    for arch, hidden, (output, loss), opt in itertools.product(
        ARCHITECTURES, HIDDEN, PAIRS, OPTIMISERS
    )
]


@cache
def package_and_twin():
    """Train every configuration with the package and with the twin (one Node process)."""
    refs, cases = [], []
    for arch, hidden, output, loss, opt in CONFIGS:
        momentum, l2 = OPTIMISERS[opt]
        net, X, Y, c = case(arch, hidden, output, loss, momentum, l2)
        history = net.fit(X, Y, epochs=EPOCHS, batch_size=BATCH, learning_rate=RATE,
                          momentum=momentum, l2=l2, seed=7)  # fmt: skip
        refs.append((net, history))
        cases.append(c)
    return refs, run_twin(cases)


def test_twin_equals_package_for_every_configuration():
    refs, twins = package_and_twin()
    errors = {}
    for config, (net, history), twin in zip(CONFIGS, refs, twins):
        assert twin["diverged_epoch"] == history.diverged_epoch, config
        assert twin["steps"] == EPOCHS * (M // BATCH), config
        err = relative_error(twin["weights"] + twin["biases"], net.weights + net.biases)
        np.testing.assert_allclose(twin["losses"], history.loss, rtol=1e-10, err_msg=str(config))
        errors[config] = err
    worst = max(errors, key=errors.get)
    print(f"\n{len(errors)} configurations, largest relative error {errors[worst]:.2e} at {worst}")
    for arch in ARCHITECTURES:
        sub = [e for c, e in errors.items() if c[0] == arch]
        print(f"  {arch}: max {max(sub):.2e}, median {np.median(sub):.2e}")
    bad = {c: e for c, e in errors.items() if not e <= TOL}
    assert not bad, f"twin and package differ by more than {TOL}: {bad}"
    # the runs learned something: a check of equal weights after no training would be empty
    moved = [
        relative_error(net.weights, [np.asarray(w) for w in c_weights])
        for (net, _), c_weights in zip(
            refs, (case(*cfg[:4], 0, 0)[3]["weights"] for cfg in CONFIGS)
        )
    ]
    assert min(moved) > 1e-4


# lambda_1 per architecture (threshold eta * lambda_1 per step) such that, over 240 steps, some
# weights of every network reach exactly 0 and some do not
L1 = {"no hidden": 0.15, "wide": 0.02, "deep narrow": 0.02}
L1_CONFIGS = [
    (arch, hidden, output, loss, momentum, l2)
    for arch in ARCHITECTURES
    for hidden in HIDDEN
    for output, loss in (("softmax", "cross_entropy"), ("identity", "mse"))
    for momentum, l2 in ((0.0, 0.0), (0.5, 0.0), (0.5, 1e-3))
]


def package_and_twin_l1(source=TWIN):
    """Every L1 configuration trained by ``fit(l1=...)`` and by the twin at ``source``."""
    cases, nets = [], []
    for arch, hidden, output, loss, momentum, l2 in L1_CONFIGS:
        net, X, Y, c = case(arch, hidden, output, loss, momentum, l2, l1=L1[arch])
        net.fit(X, Y, epochs=EPOCHS, batch_size=BATCH, learning_rate=RATE,
                momentum=momentum, l2=l2, l1=L1[arch], seed=7)  # fmt: skip
        nets.append(net)
        cases.append(c)
    return nets, run_twin(cases, source)


def test_twin_l1_equals_the_package():
    nets, twins = package_and_twin_l1()
    errors = [
        relative_error(t["weights"] + t["biases"], n.weights + n.biases)
        for t, n in zip(twins, nets)
    ]
    zeros = [sum(int(np.sum(W == 0)) for W in n.weights) for n in nets]
    sizes = [sum(W.size for W in n.weights) for n in nets]
    print(
        f"\nL1: {len(errors)} configurations, largest relative error {max(errors):.2e}; "
        f"weights at exactly 0: {min(zeros)} to {max(zeros)} per network"
    )
    assert max(errors) <= TOL
    # the threshold's clipping branch was taken (weights stopped at 0), but not everywhere
    assert all(0 < z < n for z, n in zip(zeros, sizes)), list(zip(zeros, sizes))
    for t, n in zip(twins, nets):  # the twin's zeros are the package's zeros
        for Wt, W in zip(t["weights"], n.weights):
            np.testing.assert_array_equal(np.asarray(Wt) == 0, W == 0)


def test_the_sign_flipping_l1_step_fails_the_check(tmp_path):
    """The old L1 rule, W <- W - eta (dC/dW + lambda sign W), planted in a copy of the twin:
    it pushes a small weight across zero instead of stopping it there, and is caught."""
    source = TWIN.read_text()
    old = "W[i] = w > t ? w - t : w < -t ? w + t : Number.isNaN(w) ? w : 0;"
    assert source.count(old) == 1, f"the line to plant the error in moved: {old}"
    wrong = tmp_path / "net.js"
    wrong.write_text(source.replace(old, "W[i] = w - t * Math.sign(w);"))
    (tmp_path / "package.json").write_text('{"type": "module"}')
    nets, twins = package_and_twin_l1(wrong)
    errors = [
        relative_error(t["weights"] + t["biases"], n.weights + n.biases)
        for t, n in zip(twins, nets)
    ]
    assert min(errors) > 1e-6, f"the sign-flipping L1 step went unnoticed: {min(errors):.1e}"


# One planted error per equation of backpropagation (chapter backprop), in a copy of the twin.
PLANTED = {
    "eq-delta-output: sigma_L' dropped": (
        "d[i] = (a[i] - y[i]) * df(Z.data[i], a[i]);", "d[i] = a[i] - y[i];"),
    "eq-delta-recursion: sigma' dropped": (
        "D.data[q] = s * df(z[q], a[q]);", "D.data[q] = s;"),
    "eq-grad-b: only the last sample": (
        "g.data[i] += D.data[m * n + i];", "g.data[i] = D.data[m * n + i];"),
    "eq-grad-W: a^{l-1} left out": (
        "s += D.data[m * n + i] * Ap.data[m * k + j];", "s += D.data[m * n + i];"),
    "eq-gd-momentum: old velocity not decayed": (
        "vW[i] = vW[i] * mu - lr * gW[i];", "vW[i] = vW[i] - lr * gW[i];"),
}  # fmt: skip


@pytest.mark.parametrize("name", PLANTED)
def test_a_planted_error_in_one_equation_fails_the_check(tmp_path, name):
    old, new = PLANTED[name]
    source = TWIN.read_text()
    assert source.count(old) == 1, f"the line to plant the error in moved: {old}"
    wrong = tmp_path / "net.js"
    wrong.write_text(source.replace(old, new))
    (tmp_path / "package.json").write_text('{"type": "module"}')
    configs = [
        ("wide", "sigmoid", "sigmoid", "mse", "momentum"),
        ("deep narrow", "tanh", "softmax", "cross_entropy", "momentum"),
    ]
    refs, cases = [], []
    for arch, hidden, output, loss, opt in configs:
        momentum, l2 = OPTIMISERS[opt]
        net, X, Y, c = case(arch, hidden, output, loss, momentum, l2)
        net.fit(
            X, Y, epochs=EPOCHS, batch_size=BATCH, learning_rate=RATE, momentum=momentum, seed=7
        )
        refs.append(net)
        cases.append(c)
    twins = run_twin(cases, wrong)
    errors = [
        relative_error(t["weights"] + t["biases"], n.weights + n.biases)
        for t, n in zip(twins, refs)
    ]
    assert max(errors) > 1e-6, f"planted error '{name}' went unnoticed: {errors}"


# --------------------------------------------------------------------------- the live pages
def test_node_tests_of_the_page_code():
    """``node --test tests/twin/``: the data sets and generator of the live pages."""
    if NODE is None:
        pytest.fail("node is missing")
    proc = subprocess.run(
        [NODE, "--test", str(ROOT / "tests" / "twin")],
        capture_output=True, text=True, timeout=300, check=False,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-2000:]


def test_the_twin_tags_each_equation_with_a_label_of_the_book():
    """The twin's comments name the equations they implement; every name is a labelled
    equation of a chapter, and the four equations of backpropagation are all there."""
    import re

    tags = set(re.findall(r"\((eq-[A-Za-z0-9-]+)\)", TWIN.read_text()))
    chapters = "".join(p.read_text() for p in (ROOT / "chapters").glob("*.md"))
    labels = set(re.findall(r"\$\$ \((eq-[A-Za-z0-9-]+)\)", chapters))
    assert {"eq-delta-output", "eq-delta-recursion", "eq-grad-b", "eq-grad-W"} <= tags
    assert tags <= labels, f"labels in twin/net.js that no chapter defines: {tags - labels}"


@pytest.fixture(scope="module")
def pages(tmp_path_factory):
    import sys

    sys.path.insert(0, str(ROOT / "_ext"))
    import live_twin

    ref = tmp_path_factory.mktemp("twin") / "reference.json"
    ref.write_text(json.dumps(live_twin.reference()))
    job = {
        "reference": str(ref),
        "playground": [
            {},
            {"learningRate": 0.1, "momentum": 0.5},
            {"batchSize": 64},
            {"learningRate": 10},
            {"reg": "L1", "regRate": 0.01},  # a sparse network: most weights exactly 0
            {"reg": "L1", "regRate": 0.3},  # every weight 0: said in words, not as dead units
            {"reg": "L2", "regRate": 0.01},
        ],
        "descent": [
            {"learningRate": 0.1, "batchSize": 8, "momentum": 0},
            {"learningRate": 3.0, "batchSize": 8, "momentum": 0},
            {"learningRate": 1.0, "batchSize": 1, "momentum": 0},
            {"learningRate": 0.3, "batchSize": 64, "momentum": 0.9},
            {"learningRate": 0.01, "batchSize": 2, "momentum": 0.5},
        ],
    }
    proc = subprocess.run(
        [NODE, str(ROOT / "tests" / "twin" / "run_pages.mjs")],
        input=json.dumps(job), capture_output=True, text=True, timeout=300, check=False,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    return job, json.loads(proc.stdout)


KEYS = {"learningRate": "learning_rate", "batchSize": "batch_size", "momentum": "momentum"}


def python_settings(changes):
    """The Python playground's settings for the page's ``changes`` (its one regularisation
    choice with one rate is either ``l1`` or ``l2``)."""
    from backprop.explore import playground

    kw = {KEYS[k]: v for k, v in changes.items() if k in KEYS}
    if changes.get("reg", "none") != "none":
        kw[changes["reg"].lower()] = changes["regRate"]
    return playground.Settings(**kw)


def test_the_live_playground_reproduces_the_chapter_run(pages):
    """At the defaults, and with changed training settings, the page shows the Python run:
    the same losses, accuracy and gradient norms after every epoch, and the same words."""
    from backprop.explore import playground

    job, out = pages
    for changes, page in zip(job["playground"], out["playground"]):
        py = playground.train(python_settings(changes))
        assert page["fromPython"] == {"data": True, "weights": True, "order": True}
        assert page["epoch"] == py.history.epochs_run == playground.Settings().epochs
        if changes.get("learningRate") == 10:
            # far too large a step: the loss jumps chaotically, and two computations that
            # differ in the last bit part after a few epochs; both must call it an overshoot
            assert page["status"] == py.status == "overshoot"
            assert page["text"].startswith("The step overshoots: the training loss grew")
            assert "Try a learning rate below 1 (it was 10)." in page["text"]
            continue
        np.testing.assert_allclose(page["trainLoss"], py.train_loss, rtol=1e-12)
        np.testing.assert_allclose(page["testLoss"], py.test_loss, rtol=1e-12)
        np.testing.assert_allclose(page["gradNorms"], py.grad_norms, rtol=1e-10, atol=1e-300)
        assert page["accuracy"] == py.test_accuracies.tolist()  # after every epoch
        assert page["status"] == py.status, (changes, page["text"], py.message)
        if py.status == "ok":  # Python adds the seconds; the page counts epochs
            acc = f"test accuracy {100 * py.test_accuracy:.1f} %"
            assert acc in page["text"] and f"{py.train_loss[-1]:.3g}" in page["text"]
        else:
            assert page["text"].startswith(py.message), (page["text"], py.message)
        for note in py.notes:
            assert note in page["text"]
        if changes.get("reg") == "L1":  # the L1 words, and no dead units blamed on ReLUs
            assert py.notes[0].startswith("L1 set ") and "Dead units" not in page["text"]
    assert out["playground"][0]["status"] == "ok"


def test_the_live_descent_explorer_draws_the_widgets_curves(pages):
    """Every setting of the gradient-descent explorer: the Python widget's loss curve and
    headline, in the page."""
    from backprop.explore import descent, playground

    job, out = pages
    statuses = []
    for s, page in zip(job["descent"], out["descent"]):
        py = playground.train_curve(playground.CurveSettings(**{KEYS[k]: v for k, v in s.items()}))
        # a diverging run multiplies the loss by 1e27 per epoch, and its rounding with it
        np.testing.assert_allclose(page["loss"], py.loss, rtol=1e-10, err_msg=str(s))
        assert page["status"] == py.status
        words = getattr(playground, "headline", None) or descent.headline
        assert page["headline"] == words(py)
        statuses.append(py.status)
    assert "diverged" in statuses and "ok" in statuses
